// The composer: Enter sends (Shift+Enter for a new line; not while an IME composes a word,
// nor while the @mention list is open: there Enter picks a name). A message goes to the
// outbox first, shows at once as pending, then leaves when it can. A message the server
// refuses comes back into the composer with the reason next to it: nothing is lost.

import { t } from "../i18n.js";
import { errorText } from "./outbox.js";

function newClientId() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID();
  // Plain-HTTP origins other than localhost have no randomUUID.
  return [...window.crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function composer({ form, messageMax, view, outbox, messages, typing, send, offlineNotice }) {
  const textarea = form?.querySelector("textarea[name=body]");
  const refusal = {
    refused(item, ack) {
      if (textarea) {
        textarea.value = textarea.value.trim() ? `${item.body}\n\n${textarea.value}` : item.body;
      }
      const reason = ack?.message || errorText(ack?.error) || t("chat.error.send");
      view.showStatus(ack?.error === "too_long" ? `${reason} ${t("chat.shorten")}` : reason, "error");
    },
    disable() {
      for (const field of form?.elements || []) field.disabled = true;
    },
  };
  if (!textarea) return { textarea, ...refusal };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = textarea.value.trim();
    if (!body) return;
    if (messageMax && body.length > messageMax) {
      view.showStatus(t("chat.over_max", { length: body.length, max: messageMax }), "error");
      return;
    }
    view.clearStatus("error");
    const item = { client_id: newClientId(), body, created: Date.now() };
    outbox.add(item); // stored before anything is sent
    messages.addPending(item);
    view.scrollToBottom();
    textarea.value = "";
    typing.sent();
    textarea.focus();
    offlineNotice();
    send();
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (textarea.hasAttribute("aria-controls")) return;
    event.preventDefault();
    form.requestSubmit();
  });

  textarea.addEventListener("input", () => {
    view.clearStatus("error");
    typing.typed(textarea.value);
  });

  return { textarea, ...refusal };
}
