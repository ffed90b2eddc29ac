// HwC School's page: one screen at a time, drawn from what the app reports. The signal's text
// exists in the DOM only while it is open and is removed on close, lock, blur, minimise,
// after two minutes, after acknowledging, and when a colleague handled it first.

import { call } from "./ipc.js";
import { el, field, button } from "./dom.js";

const SIGNAL_VISIBLE_MS = 2 * 60 * 1000;
const IDLE_LOCK_MS = 5 * 60 * 1000;

const screen = document.getElementById("screen");
const statusLine = document.getElementById("status-line");
const message = document.getElementById("message");

let drawn = "";          // what the screen shows now, so an unchanged status is not redrawn
let detail = false;      // a screen the person chose (privacy view, "Klaar"): the poll leaves it
let openId = null;       // the id of the signal on screen, if any
let hideTimer = null;
let idleTimer = null;
let changes = -1;

function say(text) {
  const plain = String(text || "");
  message.textContent = plain.charAt(0).toUpperCase() + plain.slice(1);
}

function show(...nodes) {
  screen.replaceChildren(...nodes);
  const target = screen.querySelector("[data-focus]") || screen.querySelector("input, button");
  (target || screen).focus();
}

async function run(action) {
  say("");
  try { return await action(); }
  catch (error) { say(String(error)); return undefined; }
}

// Redraws from the app's status; leaves any message on screen as it is.
async function refresh() {
  try { render(await call("app_status")); }
  catch (error) { say(String(error)); }
}

function render(status) {
  statusLine.textContent = status.status_line || "";
  if (openId || detail) return; // never redraw over what the person is reading
  const key = JSON.stringify([status.screen, status.waiting, status.safety_code, status.notices]);
  if (key === drawn) return;
  drawn = key;
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
    for (const id of ["pin", "pin-again"]) document.getElementById(id).value = "";
    if (next) { drawn = ""; render(next); }
  } },
    el("h2", { text: "Deze computer aanmelden" }),
    el("p", { text: "U krijgt de aanmeldcode van leerplicht. Kies daarna een pincode van 6 tot 12 cijfers; die hebt u elke keer nodig om een signaal te openen." }),
    field("relay", "Adres van de relay (de server van leerplicht)", {
      type: "url", value: status.default_relay || "", required: "", autocomplete: "off",
      ...(status.relay_fixed ? { readonly: "", "aria-description": "Vastgelegd door de ICT van uw school" } : {}),
    }),
    field("code", "Aanmeldcode van leerplicht", { autocomplete: "off", required: "", spellcheck: "false" }),
    field("pin", "Kies een pincode (6 tot 12 cijfers)", { type: "password", inputmode: "numeric", autocomplete: "off", required: "" }),
    field("pin-again", "Typ de pincode nog een keer", { type: "password", inputmode: "numeric", autocomplete: "off", required: "" }),
    el("button", { type: "submit", class: "primary", text: "Aanmelden" }));
  show(form);
}

function renderAwaiting(status) {
  show(el("section", { class: "card" },
    el("h2", { tabindex: "-1", "data-focus": "", text: "Bel leerplicht en lees deze code voor" }),
    el("p", { text: `Deze computer is aangemeld als ${status.role} van school ${status.school}. Leerplicht controleert de code en zet het apparaat dan aan.` }),
    el("p", { class: "label", id: "safety-code-label", text: "Veiligheidscode:" }),
    el("p", { class: "safety-code", "aria-describedby": "safety-code-label", text: status.safety_code }),
    el("p", { text: "Zodra leerplicht de code heeft bevestigd, gaat dit scherm vanzelf verder." }),
    button("Opnieuw controleren", async () => { const next = await run(() => call("refresh_enrollment")); if (next) { drawn = ""; render(next); } })));
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
    if (next) { drawn = ""; render(next); } else { drawn = ""; refresh(); }
  } },
    el("h2", { text: "Vergrendeld" }),
    el("p", { text: status.waiting === 1 ? "Er wacht 1 signaal." : status.waiting > 1 ? `Er wachten ${status.waiting} signalen.` : "Er wachten geen signalen." }),
    field("unlock-pin", "Uw pincode", { type: "password", inputmode: "numeric", autocomplete: "off", required: "" }),
    el("button", { type: "submit", class: "primary", text: "Ontgrendelen" }));
  show(form);
}

async function renderInbox(status) {
  const list = await run(() => call("list_signals")) || [];
  if (openId || detail) return;
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
  openId = id;
  const actions = el("div", { class: "actions" });
  const choose = () => actions.replaceChildren(
    button("Doorgegeven aan de leerkracht", () => acknowledge(id, "handed_over"), "primary"),
    button("Leerling zit niet op onze school", confirmNotOurs),
    button("Sluiten", closeSignal));
  const confirmNotOurs = () => actions.replaceChildren(
    el("p", { class: "confirm", tabindex: "-1", text: "Weet u het zeker? Leerplicht behandelt dit als een verkeerd verstuurd signaal en neemt contact met u op." }),
    button("Ja, deze leerling zit niet op onze school", () => acknowledge(id, "not_our_pupil"), "danger"),
    button("Nee, terug", choose));
  choose();
  show(el("section", { class: "card signal", "aria-labelledby": "codeword" },
    el("h2", { id: "codeword", class: "codeword", lang: "en", tabindex: "-1", "data-focus": "", text: signal.codeword }),
    el("p", { class: "child-name", text: signal.name }),
    el("p", { class: "child-birthdate", text: `Geboren op ${signal.birthdate} (${signal.age} jaar)` }),
    el("ul", { class: "instructions" },
      el("li", { text: "Vertel het vandaag mondeling aan de leerkracht." }),
      el("li", { text: "Maak geen aantekeningen." })),
    actions));
  clearTimeout(hideTimer);
  hideTimer = setTimeout(closeSignal, SIGNAL_VISIBLE_MS);
}

function clearSignal() {
  if (!openId) return false;
  openId = null;
  clearTimeout(hideTimer);
  screen.replaceChildren();
  drawn = "";
  call("close_signal").catch(() => {});
  return true;
}

function closeSignal() {
  if (clearSignal()) refresh();
}

async function acknowledge(id, kind) {
  const done = await run(() => call("acknowledge", { id, kind }));
  clearSignal();
  if (!done) { refresh(); return; }
  showDetail(el("section", { class: "card" },
    el("h2", { text: "Klaar" }),
    el("p", { class: "done", text: done }),
    button("Terug naar het overzicht", backToOverview, "primary")));
}

function showDetail(...nodes) {
  detail = true;
  show(...nodes);
}

function backToOverview() {
  detail = false;
  drawn = "";
  refresh();
}

async function lockNow() {
  clearSignal();
  detail = false;
  const next = await run(() => call("lock"));
  drawn = "";
  if (next) render(next);
}

async function showPrivacy() {
  const view = await run(() => call("privacy_view"));
  if (!view) return;
  showDetail(el("section", { class: "card" },
    el("h2", { text: "Wat staat er op deze computer?" }),
    el("ul", {}, ...view.lines.map((line) => el("li", { text: line }))),
    el("div", { class: "actions" }, button("Terug", backToOverview, "primary"), wipeButton())));
}

function wipeButton() {
  return button("Wis dit apparaat", () => {
    const box = el("div", { class: "actions" },
      el("p", { class: "confirm", text: "Alles van HwC School op deze computer wordt gewist. Daarna moet u opnieuw aanmelden." }),
      button("Ja, wis dit apparaat", async () => {
        const next = await run(() => call("wipe_device"));
        detail = false;
        drawn = "";
        if (next) render(next);
      }, "danger"),
      button("Nee, terug", backToOverview));
    showDetail(el("section", { class: "card" }, el("h2", { text: "Dit apparaat wissen?" }), box));
  }, "danger");
}

// Hide a signal whenever the window is not in front of the person; lock when minimised.
window.addEventListener("blur", closeSignal);
document.addEventListener("visibilitychange", () => { if (document.hidden) lockNow(); });

// A signal's text cannot be copied, dragged or reached through a context menu.
for (const type of ["copy", "cut", "dragstart", "contextmenu"]) {
  document.addEventListener(type, (event) => { if (openId) event.preventDefault(); });
}

// Lock after five minutes without input (the app also locks on its own side).
function resetIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(lockNow, IDLE_LOCK_MS);
}
for (const type of ["keydown", "pointerdown", "wheel"]) window.addEventListener(type, resetIdle, { passive: true });

// Follow the app: about once a second, ask whether anything changed, and redraw if so. While a
// signal is open, check that it still waits: a colleague may have handled it.
async function follow() {
  try {
    const next = await call("change_count");
    if (next !== changes) {
      changes = next;
      if (openId) {
        const list = await call("list_signals");
        if (!list.some((item) => item.id === openId)) {
          clearSignal();
          say("Dit signaal is al afgehandeld door uw collega.");
        }
      }
      await refresh();
    }
  } catch (_) { /* the next round asks again */ }
  setTimeout(follow, 1000);
}

resetIdle();
follow();
