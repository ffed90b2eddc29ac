// HwC School's page: one screen at a time, drawn from what the app reports. The signal's text
// exists in the DOM only while it is open and is removed on close, lock, blur, minimise,
// after two minutes, and after acknowledging.

import { call } from "./ipc.js";
import { el, field, button } from "./dom.js";

const SIGNAL_VISIBLE_MS = 2 * 60 * 1000;
const IDLE_LOCK_MS = 5 * 60 * 1000;

const screen = document.getElementById("screen");
const statusLine = document.getElementById("status-line");
const message = document.getElementById("message");

let current = null;      // the last status from the app
let openSignal = false;  // a signal is on screen
let hideTimer = null;
let idleTimer = null;
let changes = 0;

function say(text) {
  const plain = String(text || "");
  message.textContent = plain.charAt(0).toUpperCase() + plain.slice(1);
}

function show(...nodes) {
  screen.replaceChildren(...nodes);
  const first = screen.querySelector("input, button");
  (first || screen).focus();
}

async function run(action) {
  say("");
  try { return await action(); }
  catch (error) { say(String(error)); return undefined; }
}

async function refresh() {
  const status = await run(() => call("app_status"));
  if (status) render(status);
}

function render(status) {
  current = status;
  statusLine.textContent = status.status_line || "";
  if (openSignal) return; // never redraw over an open signal
  switch (status.screen) {
    case "enroll": return renderEnroll(status);
    case "awaiting_verification": return renderAwaiting(status);
    case "removed": return renderRemoved();
    case "locked": return renderLocked(status);
    case "inbox": return renderInbox(status);
  }
}

function renderEnroll(status) {
  const form = el("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value;
    const next = await run(() => call("enroll", {
      relay: value("relay"), code: value("code"), pin: value("pin"), pinAgain: value("pin-again"),
    }));
    if (next) render(next);
  } },
    el("h2", { text: "Deze computer aanmelden" }),
    el("p", { text: "U krijgt de aanmeldcode van leerplicht. Kies daarna een pincode van minstens 6 cijfers; die hebt u elke keer nodig om een signaal te openen." }),
    field("relay", "Adres van de relay", { type: "url", value: status.default_relay || "", required: "", autocomplete: "off" }),
    field("code", "Aanmeldcode van leerplicht", { autocomplete: "off", required: "", spellcheck: "false" }),
    field("pin", "Kies een pincode (minstens 6 cijfers)", { type: "password", inputmode: "numeric", autocomplete: "new-password", required: "" }),
    field("pin-again", "Typ de pincode nog een keer", { type: "password", inputmode: "numeric", autocomplete: "new-password", required: "" }),
    el("button", { type: "submit", class: "primary", text: "Aanmelden" }));
  show(form);
}

function renderAwaiting(status) {
  show(el("section", { class: "card" },
    el("h2", { text: "Bel leerplicht en lees deze code voor" }),
    el("p", { text: `Deze computer is aangemeld als ${status.role} van school ${status.school}. Leerplicht controleert de code en zet het apparaat dan aan.` }),
    el("p", { class: "safety-code", "aria-label": "Veiligheidscode", text: status.safety_code }),
    el("p", { text: "Zodra leerplicht de code heeft bevestigd, gaat dit scherm vanzelf verder." }),
    button("Opnieuw controleren", async () => { const next = await run(() => call("refresh_enrollment")); if (next) render(next); })));
}

function renderRemoved() {
  show(el("section", { class: "card" },
    el("h2", { text: "Dit apparaat is uitgeschakeld" }),
    el("p", { text: "Leerplicht heeft dit apparaat uitgeschakeld. Wis het apparaat en meld het opnieuw aan met een nieuwe aanmeldcode." }),
    wipeButton()));
}

function renderLocked(status) {
  const form = el("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    const pin = document.getElementById("unlock-pin");
    const next = await run(() => call("unlock", { pin: pin.value }));
    pin.value = "";
    if (next) render(next);
  } },
    el("h2", { text: "Vergrendeld" }),
    el("p", { text: status.waiting === 1 ? "Er wacht 1 signaal." : status.waiting > 1 ? `Er wachten ${status.waiting} signalen.` : "Er wachten geen signalen." }),
    field("unlock-pin", "Uw pincode", { type: "password", inputmode: "numeric", autocomplete: "current-password", required: "" }),
    el("button", { type: "submit", class: "primary", text: "Ontgrendelen" }));
  show(form);
}

async function renderInbox(status) {
  const list = await run(() => call("list_signals")) || [];
  if (openSignal || current !== status) return;
  const items = list.map((item) => el("li", {},
    el("span", { text: `Signaal ontvangen om ${item.received}` }),
    button("Openen", () => openOne(item.id), "primary")));
  show(el("section", { class: "card" },
    el("h2", { text: status.waiting === 1 ? "1 nieuw signaal" : status.waiting ? `${status.waiting} nieuwe signalen` : "Geen nieuwe signalen" }),
    ...status.notices.map((notice) => el("p", { class: "notice", text: notice })),
    items.length ? el("ul", { class: "signals" }, ...items) : null,
    el("div", { class: "actions" },
      button("Vergrendelen", lockNow),
      button("Wat staat er op deze computer?", showPrivacy))));
}

async function openOne(id) {
  const signal = await run(() => call("open_signal", { id }));
  if (!signal) return;
  openSignal = true;
  const confirmNotOurs = async () => {
    if (!window.confirm("Weet u het zeker? Leerplicht behandelt dit als een verkeerd verstuurd signaal en neemt contact op.")) return;
    await acknowledge(id, "not_our_pupil");
  };
  show(el("section", { class: "card signal", "aria-labelledby": "codeword" },
    el("p", { id: "codeword", class: "codeword", text: signal.codeword }),
    el("p", { class: "child-name", text: signal.name }),
    el("p", { class: "child-birthdate", text: `geboren ${signal.birthdate} (${signal.age} jaar)` }),
    el("ul", { class: "instructions" },
      el("li", { text: "Vertel het vandaag mondeling aan de leerkracht." }),
      el("li", { text: "Maak geen aantekeningen." })),
    el("div", { class: "actions" },
      button("Doorgegeven aan de leerkracht", () => acknowledge(id, "handed_over"), "primary"),
      button("Leerling zit niet op onze school", confirmNotOurs),
      button("Sluiten", closeSignal))));
  clearTimeout(hideTimer);
  hideTimer = setTimeout(closeSignal, SIGNAL_VISIBLE_MS);
}

function closeSignal() {
  if (!openSignal) return;
  openSignal = false;
  clearTimeout(hideTimer);
  screen.replaceChildren();
  call("close_signal").catch(() => {});
  refresh();
}

async function acknowledge(id, kind) {
  const done = await run(() => call("acknowledge", { id, kind }));
  if (!done) return;
  openSignal = false;
  clearTimeout(hideTimer);
  show(el("section", { class: "card" },
    el("h2", { text: "Klaar" }),
    el("p", { class: "done", text: done }),
    button("Terug naar het overzicht", refresh, "primary")));
}

async function lockNow() {
  closeSignal();
  const next = await run(() => call("lock"));
  if (next) render(next);
}

async function showPrivacy() {
  const view = await run(() => call("privacy_view"));
  if (!view) return;
  show(el("section", { class: "card" },
    el("h2", { text: "Wat staat er op deze computer?" }),
    el("ul", {}, ...view.lines.map((line) => el("li", { text: line }))),
    el("div", { class: "actions" }, button("Terug", refresh, "primary"), wipeButton())));
}

function wipeButton() {
  return button("Wis dit apparaat", async () => {
    if (!window.confirm("Alles van HwC School op deze computer wordt gewist. Daarna moet u opnieuw aanmelden. Doorgaan?")) return;
    const next = await run(() => call("wipe_device"));
    if (next) render(next);
  }, "danger");
}

// Hide a signal whenever the window is not in front of the person.
window.addEventListener("blur", closeSignal);
document.addEventListener("visibilitychange", () => { if (document.hidden) closeSignal(); });

// A signal's text cannot be copied, dragged or reached through a context menu.
for (const type of ["copy", "cut", "dragstart", "contextmenu"]) {
  document.addEventListener(type, (event) => { if (openSignal) event.preventDefault(); });
}

// Lock after five minutes without input.
function resetIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => { if (current && current.screen === "inbox") lockNow(); }, IDLE_LOCK_MS);
}
for (const type of ["keydown", "pointerdown", "pointermove", "wheel"]) window.addEventListener(type, resetIdle, { passive: true });

// Follow the app: every second, ask whether anything changed, and redraw if so.
async function follow() {
  if (openSignal) { setTimeout(follow, 1000); return; }
  try {
    const next = await call("change_count");
    if (next !== changes) { changes = next; if (!openSignal) await refresh(); }
  } catch (_) { /* the next round asks again */ }
  setTimeout(follow, 1000);
}

resetIdle();
refresh();
follow();
