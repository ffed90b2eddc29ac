// HwC Leerplicht's page: "Vandaag" (today's signals, redrawn when the app says something
// changed) and "Nieuw signaal" (typed, checked, shown exactly as it goes out, then sent).
// A typed name and birthdate live only in the form's fields and the preview built from them;
// after sending both are removed from the page (and the app replaces the web process).
//
// Focus: each new screen puts focus on its heading or on its first field; errors go to
// #message (role=alert) and mark the field they are about. Titles: "<screen> – HwC
// Leerplicht", one of the titles the window accepts (office/src/main.rs).

import { call } from "./ipc.js";
import { el, field, button } from "./dom.js";

const screen = document.getElementById("screen");
const statusLine = document.getElementById("status-line");
const message = document.getElementById("message");
const tabToday = document.getElementById("tab-today");
const tabNew = document.getElementById("tab-new");

let current = "today";    // the screen shown: today, new, check, problem
let changes = -1;
let firstLook = true;

function say(text) {
  const plain = String(text || "");
  message.textContent = plain.charAt(0).toUpperCase() + plain.slice(1);
}

function show(title, nodes) {
  screen.replaceChildren(...nodes);
  const target = screen.querySelector("[data-focus]") || screen.querySelector("input, select, button");
  (target || screen).focus();
  document.title = `${title} – HwC Leerplicht`;
  tabToday.toggleAttribute("aria-current", current === "today");
  tabNew.toggleAttribute("aria-current", current === "new" || current === "check");
  if (tabToday.hasAttribute("aria-current")) tabToday.setAttribute("aria-current", "page");
  if (tabNew.hasAttribute("aria-current")) tabNew.setAttribute("aria-current", "page");
}

async function run(action) {
  say("");
  try { return await action(); }
  catch (error) { say(String(error)); return undefined; }
}

async function start() {
  const status = await run(() => call("office_status", { fresh: firstLook }));
  firstLook = false;
  if (!status) return;
  statusLine.textContent = status.status_line;
  if (status.problem) {
    current = "problem";
    tabNew.disabled = true;
    return show("Niet ingericht", [el("section", { class: "card", "aria-labelledby": "problem-title" },
      el("h2", { id: "problem-title", tabindex: "-1", "data-focus": "", text: "Dit bureau is hier niet ingericht" }),
      el("p", { text: status.problem }))]);
  }
  await showToday(status.confirmation);
}

async function showToday(confirmation = "") {
  current = "today";
  const today = await run(() => call("today"));
  if (!today) return;
  const rows = today.rows.map((row) => el("tr", { class: row.attention ? "attention" : "" },
    el("td", { class: "number", text: row.number }),
    el("td", { text: row.school }),
    el("td", { text: row.sent }),
    el("td", { class: "state", text: row.state }),
    el("td", { class: "detail", text: row.detail })));
  const table = rows.length
    ? el("table", { id: "today-table" },
        el("caption", { text: "Open signalen en wat de scholen sinds het openen van dit venster bevestigden" }),
        el("thead", {}, el("tr", {},
          ...["Signaalnummer", "School", "Verstuurd", "Status", "Toelichting"].map((h, i) =>
            el("th", { scope: "col", class: i === 4 ? "detail" : "", text: h })))),
        el("tbody", {}, ...rows))
    : el("p", { id: "today-table", text: "Er staan geen signalen open." });
  show("Vandaag", [el("section", { class: "card", "aria-labelledby": "today-title" },
    el("h2", { id: "today-title", tabindex: "-1", "data-focus": "", text: "Vandaag" }),
    confirmation ? el("p", { id: "sent", class: "saved", role: "status", text: confirmation }) : null,
    table,
    ...today.notices.map((notice) => el("p", { class: "notice", text: notice })))]);
}

async function showNew() {
  current = "new";
  const choices = await run(() => call("schools"));
  if (!choices) return;
  const school = el("select", { id: "school", name: "school", required: "" },
    el("option", { value: "", text: "Kies een school" }),
    ...choices.map((choice) => el("option", { value: choice.value, text: choice.label })));
  const form = el("form", { class: "card", "aria-labelledby": "new-title", onsubmit: check },
    el("h2", { id: "new-title", text: "Nieuw signaal" }),
    el("p", { text: "Typ of plak de naam en de geboortedatum van het kind. Het codewoord Handle with Care gaat er vanzelf bij. Na het versturen verdwijnt de naam uit dit venster." }),
    field("name", "Naam van het kind", { autocomplete: "off", spellcheck: "false", required: "" }),
    field("birthdate", "Geboortedatum", { autocomplete: "off", required: "" }, "Zoals 07-03-2016."),
    el("div", { class: "field" }, el("label", { for: "school", text: "School (of vestiging) van het kind" }), school),
    field("incident", "Datum en uur van het incident (mag leeg)", { autocomplete: "off" },
      "Zoals 05-12-2026 22. Alleen voor de tellingen; het blijft bij dit bureau."),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "check", text: "Controleren" })));
  show("Nieuw signaal", [form]);
}

function typed() {
  const value = (id) => document.getElementById(id).value;
  return { name: value("name"), birthdate: value("birthdate"), school: value("school"), incident: value("incident") };
}

function unflag() {
  for (const node of screen.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

function flagFor(problem) {
  const text = problem.toLowerCase();
  const id = text.startsWith("naam") ? "name"
    : text.startsWith("geboortedatum") ? "birthdate"
    : text.startsWith("datum en uur") ? "incident"
    : /school|vestiging|brin/.test(text) ? "school" : "";
  const node = id && document.getElementById(id);
  if (node) { node.setAttribute("aria-invalid", "true"); node.focus(); }
}

// Step 2 of a new signal: the app checks everything and says what goes out and to whom.
async function check(event) {
  event.preventDefault();
  unflag();
  const input = typed();
  let preview;
  try { say(""); preview = await call("preview_signal", input); }
  catch (error) { say(String(error)); flagFor(String(error)); return; }
  current = "check";
  const form = screen.querySelector("form");
  form.hidden = true;
  const box = el("section", { class: "card preview", "aria-labelledby": "check-title", id: "preview" },
    el("h2", { id: "check-title", tabindex: "-1", "data-focus": "", text: "Controleren: dit gaat er weg" }),
    el("dl", {},
      el("dt", { text: "Codewoord" }), el("dd", { lang: "en", text: preview.codeword }),
      el("dt", { text: "Naam" }), el("dd", { text: input.name }),
      el("dt", { text: "Geboortedatum" }), el("dd", { text: input.birthdate }),
      el("dt", { text: "Naar" }), el("dd", { id: "preview-to", text: preview.to }),
      el("dt", { text: "Apparaten die het kunnen openen" }),
      el("dd", {}, el("ul", { id: "preview-devices" }, ...preview.devices.map((d) => el("li", { text: d }))))),
    ...preview.plan.map((line) => el("p", { class: line.startsWith("LET OP") ? "warning" : "", text: line })),
    el("div", { class: "actions" },
      button("Versturen", () => send(input), "primary", { id: "send" }),
      button("Terug: wijzigen", () => back(box, form), "", { id: "change" })));
  screen.append(box);
  document.title = "Controleren – HwC Leerplicht";
  box.querySelector("[data-focus]").focus();
}

function back(box, form) {
  box.remove();
  form.hidden = false;
  current = "new";
  document.title = "Nieuw signaal – HwC Leerplicht";
  document.getElementById("name").focus();
}

async function send(input) {
  // One click sends once: both buttons wait for the answer.
  const buttons = ["send", "change"].map((id) => document.getElementById(id));
  for (const b of buttons) b.disabled = true;
  const text = await run(() => call("send_signal", input));
  if (!text) { for (const b of buttons) b.disabled = false; return; }
  input.name = ""; input.birthdate = "";
  screen.replaceChildren(); // the name and birthdate leave the page
  await showToday(text);
}

tabToday.addEventListener("click", () => { if (current !== "problem") showToday(); });
tabNew.addEventListener("click", () => { if (current !== "problem") showNew(); });

// Follow the app: "hwc-change" says something changed; "Vandaag" is drawn again, other
// screens (a half-typed signal) are left alone.
let following = false;
let followAgain = false;
async function follow() {
  if (following) { followAgain = true; return; }
  following = true;
  try {
    const next = await call("change_count");
    if (next !== changes) {
      changes = next;
      const status = await call("office_status", {});
      statusLine.textContent = status.status_line;
      if (current === "today") {
        const sent = document.getElementById("sent");
        await showToday(sent ? sent.textContent : "");
      }
    }
  } catch (_) { /* the next change asks again */ }
  following = false;
  if (followAgain) {
    followAgain = false;
    follow();
  }
}
window.addEventListener("hwc-change", follow);

start();
