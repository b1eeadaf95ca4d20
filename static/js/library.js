// Library upload: drag-and-drop or file picker, one request per file with a real progress
// bar and its own error. Without this script the same form posts all files at once.

import { t } from "./i18n.js";

const form = document.querySelector("[data-library-upload]");

function sizeLabel(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} Ko`;
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? mb.toFixed(0) : mb.toFixed(1).replace(".", ",")} Mo`;
}

if (form) {
  const input = form.querySelector('input[type="file"]');
  const zone = form.querySelector("[data-dropzone]");
  const list = form.querySelector("[data-upload-list]");
  const alertBox = form.querySelector("[data-upload-alert]");
  const submitButton = form.querySelector("[data-upload-submit]");
  const maxBytes = Number(form.dataset.maxBytes);
  const maxFiles = Number(form.dataset.maxFiles);
  const accepted = (input.getAttribute("accept") || "").split(",").map((ext) => ext.trim().toLowerCase());
  const entries = [];
  let sending = false;
  let uploadCount = 0;

  function showAlert(text) {
    alertBox.textContent = "";
    if (text) {
      const p = document.createElement("p");
      p.textContent = text;
      alertBox.append(p);
    }
    alertBox.hidden = !text;
  }

  function setStatus(entry, state, text) {
    entry.state = state;
    entry.row.classList.toggle("is-error", state === "error");
    entry.row.classList.toggle("is-done", state === "done");
    entry.status.textContent = text;
  }

  function localError(file) {
    const extension = file.name.includes(".") ? `.${file.name.split(".").pop().toLowerCase()}` : "";
    if (file.size === 0) return t("library.upload.empty", { name: file.name });
    if (file.size > maxBytes) return t("library.upload.too_big", { name: file.name, size: form.dataset.maxSize });
    if (extension && !accepted.includes(extension)) return t("library.upload.type", { name: file.name });
    return "";
  }

  function addFiles(files) {
    showAlert("");
    for (const file of files) {
      if (entries.filter((e) => e.state !== "done").length >= maxFiles) {
        showAlert(t("library.upload.too_many", { n: maxFiles }));
        break;
      }
      const row = document.createElement("li");
      row.className = "lib-upload";
      const name = document.createElement("span");
      name.className = "lib-upload-name";
      name.id = `lib-upload-${(uploadCount += 1)}`;
      name.textContent = `${file.name} (${sizeLabel(file.size)})`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = t("library.upload.remove");
      remove.setAttribute("aria-label", t("library.upload.remove_named", { name: file.name }));
      const progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-labelledby", name.id);
      const status = document.createElement("p");
      status.className = "lib-upload-status";
      row.append(name, remove, progress, status);
      list.append(row);
      const entry = { file, row, progress, status, state: "waiting" };
      remove.addEventListener("click", () => {
        if (sending) return;
        entries.splice(entries.indexOf(entry), 1);
        row.remove();
      });
      const error = localError(file);
      if (error) setStatus(entry, "error", error);
      else setStatus(entry, "waiting", t("library.upload.waiting"));
      entries.push(entry);
    }
    input.value = "";
  }

  function showFieldErrors(field, text) {
    form.querySelectorAll("[data-js-error]").forEach((node) => node.remove());
    const control = field ? form.querySelector(`[name="${field}"]`) : null;
    if (!control) {
      showAlert(text);
      return;
    }
    const wrapper = control.closest(".field") || control.parentElement;
    const errors = document.createElement("ul");
    errors.className = "errors";
    errors.dataset.jsError = "";
    errors.id = `${control.id || field}-js-errors`;
    const item = document.createElement("li");
    item.textContent = text;
    errors.append(item);
    wrapper.append(errors);
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", errors.id);
    control.focus();
  }

  function send(entry) {
    return new Promise((resolve) => {
      const data = new FormData(form);
      data.delete("files");
      data.append("files", entry.file, entry.file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      const token = form.querySelector('input[name="csrf_token"]');
      if (token) xhr.setRequestHeader("X-CSRFToken", token.value);
      setStatus(entry, "sending", t("library.upload.sending"));
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) entry.progress.value = Math.round((100 * event.loaded) / event.total);
      });
      xhr.addEventListener("load", () => {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = {};
        }
        if (xhr.status >= 200 && xhr.status < 300 && body.ok) {
          entry.progress.value = 100;
          setStatus(entry, "done", t("library.upload.sent"));
          const link = document.createElement("a");
          link.href = body.documents[0].url;
          link.textContent = ` ${body.documents[0].title}`;
          entry.status.append(link);
          resolve({ ok: true, next: body.next });
          return;
        }
        entry.progress.value = 0;
        const message = body.message || t("library.upload.failed");
        const fileError = !body.field || body.field === "files";
        setStatus(entry, "error", fileError ? message : "");
        if (!fileError) showFieldErrors(body.field, message);
        resolve({ ok: false, stop: !fileError || xhr.status === 429 || Boolean(body.errors) });
      });
      xhr.addEventListener("error", () => {
        setStatus(entry, "error", t("library.upload.failed"));
        resolve({ ok: false, stop: false });
      });
      xhr.send(data);
    });
  }

  input.addEventListener("change", () => addFiles(input.files));
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("is-dragover");
    });
  }
  for (const type of ["dragleave", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("is-dragover"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) addFiles(event.dataTransfer.files);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    showAlert("");
    form.querySelectorAll("[data-js-error]").forEach((node) => node.remove());
    const queue = entries.filter((e) => e.state === "waiting" || (e.state === "error" && !localError(e.file)));
    if (!queue.length) {
      showAlert(entries.some((e) => e.state === "done") ? "" : t("library.upload.none"));
      return;
    }
    sending = true;
    submitButton.disabled = true;
    let next = null;
    for (const entry of queue) {
      const result = await send(entry);
      if (result.ok) next = result.next;
      if (result.stop) break;
    }
    sending = false;
    submitButton.disabled = false;
    const failed = entries.some((e) => e.state !== "done");
    if (!failed && next) {
      showAlert("");
      const done = document.createElement("p");
      done.className = "flash flash-success";
      done.setAttribute("role", "status");
      const link = document.createElement("a");
      link.href = next;
      link.textContent = form.dataset.msgDone;
      done.append(link);
      alertBox.before(done);
    } else if (failed && entries.some((e) => e.state === "error")) {
      showAlert(t("library.upload.some_failed"));
    }
  });
}
