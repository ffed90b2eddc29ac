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

// A labelled input; `hint` is a visible explanation below the label, read out with the field.
export function field(id, label, attributes = {}, hint = "") {
  const hintId = `${id}-hint`;
  return el("div", { class: "field" },
    el("label", { for: id, text: label }),
    hint ? el("p", { id: hintId, class: "hint", text: hint }) : null,
    el("input", { id, name: id, ...(hint ? { "aria-describedby": hintId } : {}), ...attributes }));
}

export function button(text, onclick, kind = "", attributes = {}) {
  return el("button", { type: "button", class: kind, text, onclick, ...attributes });
}
