// The words this page's modules write themselves, translated by the server
// (app/client_strings.py) and handed over as a JSON data block in templates/base.html.
//
//   t("chat.typing.one", { name: "Claire" })  ->  "Claire écrit…"

const block = document.getElementById("client-strings");
const strings = block ? JSON.parse(block.textContent) : {};

/** The translation of `key`, its %(name)s placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = strings[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}
