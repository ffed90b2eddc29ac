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
const PIN_INPUT = { type: "password", inputmode: "numeric", autocomplete: "off", required: "" };

let drawn = "";          // what the screen shows now, so an unchanged status is not redrawn
let detail = false;      // a screen the person chose (privacy view, settings, "Klaar"): the poll leaves it
let detailOn = "";       // the app's screen that detail screen was opened from
let onScreen = "";       // the app's screen drawn last
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
  // A chosen screen stays only while the app is where it was opened (not locked, wiped or removed).
  if (detail && status.screen !== detailOn) detail = false;
  if (openId || detail) return; // never redraw over what the person is reading
  const key = JSON.stringify([status.screen, status.waiting, status.safety_code, status.notices, status.pin_warning]);
  if (key === drawn) return;
  drawn = key;
  onScreen = status.screen;
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
    field("pin", "Kies een pincode (6 tot 12 cijfers)", PIN_INPUT),
    field("pin-again", "Typ de pincode nog een keer", PIN_INPUT),
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
  // After several wrong PINs: how many tries are left before the wipe, read out with the field.
  const warning = status.pin_warning ? el("p", { id: "pin-warning", class: "warning", text: status.pin_warning }) : null;
  const form = el("form", { class: "card", onsubmit: unlockNow },
    el("h2", { text: "Vergrendeld" }),
    el("p", { text: status.waiting === 1 ? "Er wacht 1 signaal." : status.waiting > 1 ? `Er wachten ${status.waiting} signalen.` : "Er wachten geen signalen." }),
    warning,
    field("unlock-pin", "Uw pincode", { ...PIN_INPUT, ...(warning ? { "aria-describedby": "pin-warning" } : {}) }),
    el("button", { type: "submit", class: "primary", text: "Ontgrendelen" }));
  show(form);
}

// The answer to a wrong PIN appears after the lock screen is drawn again (with any new warning).
async function unlockNow(event) {
  event.preventDefault();
  say("");
  const pin = document.getElementById("unlock-pin");
  let next;
  let problem = "";
  try { next = await call("unlock", { pin: pin.value }); }
  catch (error) { problem = String(error); }
  pin.value = "";
  drawn = "";
  if (next) render(next); else await refresh();
  say(problem);
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
      button("Vergrendelen", lockNow, "", { id: "lock" }),
      button("Wat staat er op deze computer?", showPrivacy),
      button("Instellingen", showSettings, "", { id: "settings" }))));
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
  detailOn = onScreen;
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

// Settings: a new PIN, enrolling again, wiping. Every choice that removes something asks first.
function showSettings() {
  const reenroll = el("div", { class: "actions" });
  const offer = () => reenroll.replaceChildren(button("Opnieuw aanmelden", askFirst, "", { id: "reenroll" }));
  const askFirst = () => {
    reenroll.replaceChildren(
      el("p", { class: "confirm", id: "reenroll-confirm", tabindex: "-1", text: "Weet u het zeker? Alles van HwC School op deze computer wordt gewist, ook signalen die nog niet zijn geopend." }),
      button("Ja, opnieuw aanmelden", reenrollNow, "danger", { id: "reenroll-yes" }),
      button("Nee, terug", () => { offer(); reenroll.querySelector("button").focus(); }));
    reenroll.querySelector(".confirm").focus();
  };
  offer();
  showDetail(el("section", { class: "card", "aria-labelledby": "settings-title" },
    el("h2", { id: "settings-title", tabindex: "-1", "data-focus": "", text: "Instellingen" }),
    setting("Pincode", "Kies een nieuwe pincode; daarvoor hebt u uw huidige pincode nodig.",
      el("div", { class: "actions" }, button("Pincode wijzigen", showPinChange, "", { id: "change-pin" }))),
    setting("Opnieuw aanmelden", "Hiermee verdwijnen de aanmelding van deze computer en alles wat HwC School erop bewaart; daarna hebt u een nieuwe aanmeldcode van leerplicht nodig.", reenroll),
    setting("Dit apparaat wissen", "Gebruikt u deze computer niet meer voor HwC School? Wis dan alles van HwC School erop.",
      el("div", { class: "actions" }, wipeButton(showSettings))),
    el("div", { class: "actions" }, button("Terug", backToOverview, "primary", { id: "settings-back" }))));
}

function setting(title, explanation, actions) {
  return el("section", { class: "setting" },
    el("div", { class: "setting-text" }, el("h3", { text: title }), el("p", { text: explanation })),
    actions);
}

function showPinChange() {
  const done = el("p", { id: "pin-changed", class: "saved", role: "status" });
  showDetail(el("form", { class: "card", onsubmit: (event) => changePin(event, done) },
    el("h2", { text: "Pincode wijzigen" }),
    field("current-pin", "Uw huidige pincode", PIN_INPUT),
    field("new-pin", "Nieuwe pincode (6 tot 12 cijfers)", PIN_INPUT),
    field("new-pin-again", "Typ de nieuwe pincode nog een keer", PIN_INPUT),
    done,
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", text: "Pincode wijzigen" }),
      button("Terug naar instellingen", showSettings, "", { id: "pin-back" }))));
}

// A wrong current PIN counts as a wrong try; after the last one the app is back at enrollment.
async function changePin(event, done) {
  event.preventDefault();
  const ids = ["current-pin", "new-pin", "new-pin-again"];
  const [current, fresh, again] = ids.map((id) => document.getElementById(id).value);
  done.textContent = "";
  const answer = await run(() => call("change_pin", { current, new: fresh, newAgain: again }));
  for (const id of ids) {
    const input = document.getElementById(id);
    if (input) input.value = "";
  }
  if (answer) { done.textContent = answer; return; }
  await refresh(); // leaves this screen if the device was wiped or locked meanwhile
  const first = document.getElementById("current-pin");
  if (first) first.focus();
}

async function reenrollNow() {
  const next = await run(() => call("wipe_device"));
  if (!next) return;
  detail = false;
  drawn = "";
  render(next);
}

function wipeButton(back = backToOverview) {
  return button("Wis dit apparaat", () => {
    const box = el("div", { class: "actions" },
      el("p", { class: "confirm", text: "Alles van HwC School op deze computer wordt gewist. Daarna moet u opnieuw aanmelden." }),
      button("Ja, wis dit apparaat", async () => {
        const next = await run(() => call("wipe_device"));
        detail = false;
        drawn = "";
        if (next) render(next);
      }, "danger"),
      button("Nee, terug", back));
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
        // Locked meanwhile (idle, minimised, screen locked): the signal goes off the screen.
        const status = await call("app_status");
        if (status.screen !== "inbox") {
          clearSignal();
        } else if (!(await call("list_signals")).some((item) => item.id === openId)) {
          clearSignal();
          say("Dit signaal is al afgehandeld door uw collega.");
        }
        render(status);
      } else {
        await refresh();
      }
    }
  } catch (_) { /* the next round asks again */ }
  setTimeout(follow, 1000);
}

resetIdle();
follow();
