// Small helpers that build the page from elements and text only (never HTML strings), so
// nothing that comes from a signal or the relay can ever become markup.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function field(id, label, attributes = {}) {
  return el("div", { class: "field" },
    el("label", { for: id, text: label }),
    el("input", { id, name: id, ...attributes }));
}

export function button(text, onclick, kind = "", attributes = {}) {
  return el("button", { type: "button", class: kind, text, onclick, ...attributes });
}
