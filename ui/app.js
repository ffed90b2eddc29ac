// HwC School's page: one screen at a time, drawn from what the app reports. The signal's text
// exists in the DOM only while it is open and is removed on close, lock, blur, minimise,
// after two minutes, after acknowledging, and when a colleague handled it first.
//
// Keyboard and focus contract (WCAG 2.1 AA; tests/tests/app_window.rs and the keyboard-only
// test tests/tests/app_release.rs depend on it):
// - Every screen, once drawn and focused, sets document.title to "<screen> – HwC School",
//   one of the titles the window accepts (src-tauri/src/window.rs): Aanmelden, Wachten op
//   bevestiging, Afgemeld, Vergrendeld, Overzicht, Signaal, Bevestigd, Wat staat er op deze
//   computer?, Instellingen, Pincode wijzigen, Studiedag doorgeven, Apparaat wissen.
// - Lock screen: focus is in the PIN field #unlock-pin; typing the PIN and Enter unlocks.
//   After a wrong PIN the screen is drawn anew and focus is in the new, empty #unlock-pin.
// - Inbox: focus is on its heading (`main h2`, tabindex=-1); the next Tab stop is the first
//   signal's button (`.signals button`); Enter opens that signal.
// - Open signal: focus is on the codeword heading (`.codeword`, tabindex=-1); the next Tab
//   stop is "Doorgegeven aan de leerkracht" (`.signal button.primary`; "de mentor" and so on
//   where the school's profile says so); Enter hands the
//   signal over and draws the done screen (`.done`) with focus on its heading.
// - Every other new screen: focus on its heading, or on the first editable field of a form
//   (enrollment, PIN change, study days). Closing a signal, "Terug" and the done screen's button draw the
//   inbox again: focus on its heading.
// - "Weet u het zeker?" questions take the focus; "Nee, terug" puts it back on the button
//   that asked.
// - When the once-a-second poll redraws the screen that is already shown (a signal arrives,
//   a colleague handled one), focus stays on the same control (same id or data-key) and what
//   was typed in a field stays.
// Errors go to #message (role=alert); the field an error is about gets aria-invalid and, if it
// has no description yet, aria-describedby="message". The status line is announced through
// #status-news only when its meaning changes, never for the clock time in it.

import { call } from "./ipc.js";
import { el, field, button } from "./dom.js";

const SIGNAL_VISIBLE_MS = 2 * 60 * 1000;
const IDLE_LOCK_MS = 5 * 60 * 1000;

const screen = document.getElementById("screen");
const statusLine = document.getElementById("status-line");
const statusNews = document.getElementById("status-news");
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
let draws = 0;           // counts screens drawn, so a slow inbox list never draws over a newer screen
let statusGist = null;   // the status line without clock times, as last announced
let newsTimer = null;
// Who sends the signals and whom the school tells, from the profile the sender signed (the app
// sends them with each status): mid-sentence (sender), starting one (Sender). Before this
// computer is enrolled nobody is known yet.
let words = { sender: "leerplicht", Sender: "Leerplicht", tell: "de leerkracht", role: "" };

function say(text) {
  const plain = String(text || "");
  message.textContent = plain.charAt(0).toUpperCase() + plain.slice(1);
}

// Draws a screen and moves focus into it (see the contract above). With `keep` (the same
// screen drawn again by the poll) focus stays on the same control and typed text stays.
function show(title, nodes, keep = false) {
  draws += 1;
  const active = document.activeElement;
  const key = keep && screen.contains(active) ? active.id || active.dataset.key || "" : "";
  const typed = keep ? [...screen.querySelectorAll("input:not([readonly])")].filter((i) => i.id && i.value) : [];
  screen.replaceChildren(...nodes);
  for (const old of typed) {
    const input = document.getElementById(old.id);
    if (input) input.value = old.value;
  }
  const again = key ? [...screen.querySelectorAll("[id], [data-key]")].find((n) => (n.id || n.dataset.key) === key) : null;
  const target = again || screen.querySelector("[data-focus]") || screen.querySelector("input:not([readonly]), button");
  (target || screen).focus();
  if (again && again.value) {
    try { again.setSelectionRange(again.value.length, again.value.length); } catch (_) { /* not a text field */ }
  }
  document.title = `${title} – HwC School`;
}

// The field(s) an error is about, from the app's (Dutch) error text.
function fieldsFor(problem, fields) {
  const text = String(problem).toLowerCase();
  if (text.includes("niet gelijk")) return fields.twice || [];
  if (text.includes("onjuist")) return fields.current || [];
  if (/een pincode (bestaat|heeft)/.test(text)) return fields.fresh || [];
  if (/aanmeldcode(:| is | klopt | bestaat )/.test(text)) return fields.code || [];
  return [];
}

// 3.3.1: marks fields as invalid, pointing at the message unless they already have a description.
function flag(ids) {
  for (const id of ids) {
    const input = document.getElementById(id);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    if (!input.hasAttribute("aria-describedby")) input.setAttribute("aria-describedby", "message");
  }
  return ids.length ? document.getElementById(ids[0]) : null;
}

function unflag() {
  for (const input of screen.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    if (input.getAttribute("aria-describedby") === "message") input.removeAttribute("aria-describedby");
  }
}

// The status line is redrawn whenever the app reports a change; it is read out only when more than a clock time
// in it changed ("laatst gecontroleerd 10:04" becoming 10:05 is not news).
function showStatusLine(text) {
  if (statusLine.textContent !== text) statusLine.textContent = text;
  const gist = text.replace(/\d{1,2}:\d{2}/g, "");
  if (gist === statusGist) return;
  if (statusGist !== null && text) {
    statusNews.textContent = text;
    clearTimeout(newsTimer);
    // Emptied again, so reading the page does not meet the same line twice.
    newsTimer = setTimeout(() => { statusNews.textContent = ""; }, 10000);
  }
  statusGist = gist;
}

async function run(action) {
  say("");
  try { return await action(); }
  catch (error) { say(String(error)); return undefined; }
}

// Redraws from the app's status; leaves any message on screen as it is.
// The page's first look after loading takes a waiting confirmation: after an acknowledgement
// the app replaces the web process that showed the signal, and this fresh page says it is done.
let firstLook = true;

async function refresh() {
  try {
    const status = await call("app_status", { fresh: firstLook });
    firstLook = false;
    if (status.confirmation) {
      onScreen = status.screen;
      return showDone(status.confirmation);
    }
    render(status);
  } catch (error) { say(String(error)); }
}

function render(status) {
  if (status.words) words = status.words;
  showStatusLine(status.status_line || "");
  // A chosen screen stays only while the app is where it was opened (not locked, wiped or removed).
  if (detail && status.screen !== detailOn) detail = false;
  if (openId || detail) return; // never redraw over what the person is reading
  const key = JSON.stringify([status.screen, status.waiting, status.safety_code, status.notices, status.pin_warning, status.expired, status.words]);
  if (key === drawn) return;
  const keep = drawn !== "" && status.screen === onScreen; // the poll redraws the same screen
  drawn = key;
  onScreen = status.screen;
  switch (status.screen) {
    case "enroll": return renderEnroll(status, keep);
    case "awaiting_verification": return renderAwaiting(status, keep);
    case "removed": return renderRemoved(keep);
    case "locked": return renderLocked(status, keep);
    case "inbox": return renderInbox(status, keep);
  }
}

function renderEnroll(status, keep) {
  const form = el("form", { class: "card", "aria-labelledby": "enroll-title", onsubmit: async (event) => {
    event.preventDefault();
    unflag();
    const value = (id) => document.getElementById(id).value;
    const next = await run(() => call("enroll", {
      relay: value("relay"), code: value("code"), pin: value("pin"), pinAgain: value("pin-again"),
    }));
    for (const id of ["pin", "pin-again"]) document.getElementById(id).value = "";
    if (next) { drawn = ""; render(next); return; }
    const wrong = flag(fieldsFor(message.textContent, {
      twice: ["pin", "pin-again"], fresh: ["pin", "pin-again"], code: ["code"],
    }));
    if (wrong) wrong.focus();
  } },
    el("h2", { id: "enroll-title", text: "Deze computer aanmelden" }),
    el("p", { text: "U krijgt de aanmeldcode van wie uw school de signalen stuurt: leerplicht of Veilig Thuis. Kies daarna een pincode van 6 tot 12 cijfers; die hebt u elke keer nodig om een signaal te openen." }),
    field("relay", "Adres van de relay (de server waarlangs de signalen komen)", {
      type: "url", value: status.default_relay || "", required: "", autocomplete: "off", spellcheck: "false",
      ...(status.relay_fixed ? { readonly: "" } : {}),
    }, status.relay_fixed ? "Vastgelegd door de ICT van uw school; u hoeft hier niets te veranderen." : ""),
    field("code", "Aanmeldcode", { autocomplete: "off", required: "", spellcheck: "false" }),
    field("pin", "Kies een pincode (6 tot 12 cijfers)", PIN_INPUT),
    field("pin-again", "Typ de pincode nog een keer", PIN_INPUT),
    el("button", { type: "submit", class: "primary", text: "Aanmelden" }));
  show("Aanmelden", [form], keep);
}

function renderAwaiting(status, keep) {
  const checked = el("p", { id: "check-result", role: "status" });
  show("Wachten op bevestiging", [el("section", { class: "card", "aria-labelledby": "awaiting-title" },
    el("h2", { id: "awaiting-title", tabindex: "-1", "data-focus": "", text: `Bel ${words.sender} en lees deze code voor` }),
    el("p", { text: `Deze computer is aangemeld als ${status.role} van school ${status.school}. ${words.Sender} controleert de code en zet het apparaat dan aan.` }),
    el("p", { class: "label", id: "safety-code-label", text: "Veiligheidscode:" }),
    el("p", { class: "safety-code", "aria-describedby": "safety-code-label", text: status.safety_code }),
    el("p", { text: `Zodra ${words.sender} de code heeft bevestigd, gaat dit scherm vanzelf verder.` }),
    button("Opnieuw controleren", async () => {
      checked.textContent = "";
      const next = await run(() => call("refresh_enrollment"));
      if (!next) return;
      if (next.screen === "awaiting_verification") checked.textContent = `${words.Sender} heeft de code nog niet bevestigd.`;
      else { drawn = ""; render(next); }
    }, "", { id: "recheck" }),
    checked)], keep);
}

function renderRemoved(keep) {
  show("Afgemeld", [el("section", { class: "card", "aria-labelledby": "removed-title" },
    el("h2", { id: "removed-title", tabindex: "-1", "data-focus": "", text: "Dit apparaat is uitgeschakeld" }),
    el("p", { text: `${words.Sender} heeft dit apparaat uitgeschakeld. Wis het apparaat en meld het opnieuw aan met een nieuwe aanmeldcode.` }),
    wipeButton())], keep);
}

function renderLocked(status, keep) {
  // After several wrong PINs: how many tries are left before the wipe, read out with the field.
  const warning = status.pin_warning ? el("p", { id: "pin-warning", class: "warning", text: status.pin_warning }) : null;
  const form = el("form", { class: "card", "aria-labelledby": "locked-title", onsubmit: unlockNow },
    el("h2", { id: "locked-title", text: "Vergrendeld" }),
    el("p", { text: status.waiting === 1 ? "Er wacht 1 signaal." : status.waiting > 1 ? `Er wachten ${status.waiting} signalen.` : "Er wachten geen signalen." }),
    expiredNotices(status.expired),
    warning,
    field("unlock-pin", "Uw pincode", { ...PIN_INPUT, ...(warning ? { "aria-describedby": "pin-warning" } : {}) }),
    el("button", { type: "submit", class: "primary", text: "Ontgrendelen" }));
  show("Vergrendeld", [form], keep);
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
  if (problem) flag(fieldsFor(problem, { current: ["unlock-pin"], fresh: ["unlock-pin"] }));
}

async function renderInbox(status, keep) {
  const mine = draws;
  // Not through run(): that would wipe a message just shown (a colleague handled the signal).
  const list = await call("list_signals").catch((error) => { say(String(error)); return []; });
  if (openId || detail || mine !== draws) return; // something newer is on screen
  const items = list.map((item, index) => el("li", {},
    el("span", { id: `signal-${index}`, text: `Signaal ontvangen om ${item.received}` }),
    button("Openen", () => openOne(item.id), "primary", { "data-key": `open-${item.id}`, "aria-describedby": `signal-${index}` })));
  show("Overzicht", [el("section", { class: "card", "aria-labelledby": "inbox-title" },
    el("h2", { id: "inbox-title", tabindex: "-1", "data-focus": "", text: status.waiting === 1 ? "1 nieuw signaal" : status.waiting ? `${status.waiting} nieuwe signalen` : "Geen nieuwe signalen" }),
    ...status.notices.map((notice) => el("p", { class: "notice", text: notice })),
    items.length ? el("ul", { class: "signals", "aria-labelledby": "inbox-title" }, ...items) : null,
    // After the list, so the first Tab still reaches the first signal.
    expiredNotices(status.expired, true),
    el("div", { class: "actions" },
      button("Vergrendelen", lockNow, "", { id: "lock" }),
      button("Wat staat er op deze computer?", showPrivacy, "", { id: "privacy" }),
      button("Instellingen", showSettings, "", { id: "settings" })))], keep);
}

// Signals that expired here before anyone handled them, read out when they appear; in the inbox
// with "Gezien", which forgets exactly the notices shown.
function expiredNotices(expired, withButton = false) {
  if (!expired || !expired.length) return null;
  const ids = expired.map((_, index) => `expired-${index}`);
  return el("div", { class: "expired-notices", role: "status" },
    ...expired.map((notice, index) => el("p", { class: "warning expired", id: ids[index], text: notice.text })),
    withButton ? button("Gezien", () => confirmExpiredSeen(expired.map((notice) => notice.id)), "",
      { id: "expired-seen", "aria-describedby": ids.join(" ") }) : null);
}

async function confirmExpiredSeen(ids) {
  const next = await run(() => call("confirm_expired_seen", { ids }));
  if (next) { drawn = ""; render(next); }
}

async function openOne(id) {
  const signal = await run(() => call("open_signal", { id }));
  if (!signal) return;
  openId = id;
  const actions = el("div", { class: "actions" });
  const choose = () => actions.replaceChildren(
    button(`Doorgegeven aan ${words.tell}`, () => acknowledge(id, "handed_over"), "primary"),
    button("Leerling zit niet op onze school", confirmNotOurs, "", { id: "not-ours" }),
    button("Sluiten", closeSignal));
  const confirmNotOurs = () => {
    actions.replaceChildren(
      el("p", { class: "confirm", id: "not-ours-confirm", tabindex: "-1", text: `Weet u het zeker? ${words.Sender} behandelt dit als een verkeerd verstuurd signaal en neemt contact met u op.` }),
      button("Ja, deze leerling zit niet op onze school", () => acknowledge(id, "not_our_pupil"), "danger"),
      button("Nee, terug", () => { choose(); document.getElementById("not-ours").focus(); }));
    actions.querySelector(".confirm").focus();
  };
  choose();
  show("Signaal", [el("section", { class: "card signal", "aria-labelledby": "codeword" },
    el("h2", { id: "codeword", class: "codeword", lang: "en", tabindex: "-1", "data-focus": "", text: signal.codeword }),
    el("p", { class: "child-name", text: signal.name }),
    el("p", { class: "child-birthdate", text: `Geboren op ${signal.birthdate} (${signal.age} jaar)` }),
    el("ul", { class: "instructions" },
      el("li", { text: `Vertel het vandaag mondeling aan ${words.tell}.` }),
      el("li", { text: "Maak geen aantekeningen." })),
    actions)]);
  clearTimeout(hideTimer);
  hideTimer = setTimeout(hideAfterTimeout, SIGNAL_VISIBLE_MS);
}

// Two minutes are up: the signal goes off the screen, and the person is told why.
function hideAfterTimeout() {
  if (!clearSignal()) return;
  say("Het signaal is na twee minuten verborgen. U kunt het opnieuw openen.");
  refresh();
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
  showDone(done);
}

function showDone(text) {
  showDetail("Bevestigd", el("section", { class: "card", "aria-labelledby": "done-title" },
    el("h2", { id: "done-title", tabindex: "-1", "data-focus": "", text: "Klaar" }),
    el("p", { class: "done", text }),
    button("Terug naar het overzicht", backToOverview, "primary", { id: "done-back" })));
}

function showDetail(title, ...nodes) {
  detail = true;
  detailOn = onScreen;
  show(title, nodes);
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
  showDetail("Wat staat er op deze computer?", el("section", { class: "card", "aria-labelledby": "privacy-title" },
    el("h2", { id: "privacy-title", tabindex: "-1", "data-focus": "", text: "Wat staat er op deze computer?" }),
    el("ul", { class: "privacy" }, ...view.lines.map((line) => el("li", { text: line }))),
    el("div", { class: "actions" }, button("Terug", backToOverview, "primary"), wipeButton())));
}

// Settings: a new PIN, enrolling again, wiping. Every choice that removes something asks first.
function showSettings() {
  const reenroll = el("div", { class: "actions" });
  const offer = () => reenroll.replaceChildren(button("Opnieuw aanmelden", askFirst, "", { id: "reenroll" }));
  const askFirst = () => {
    reenroll.replaceChildren(
      el("p", { class: "confirm", id: "reenroll-confirm", tabindex: "-1", text: "Weet u het zeker? Alles van HwC School op deze computer wordt gewist, ook signalen die nog niet zijn geopend." }),
      pinToWipe("reenroll-pin"),
      button("Ja, opnieuw aanmelden", () => wipeNow("reenroll-pin"), "danger", { id: "reenroll-yes" }),
      button("Nee, terug", () => { offer(); reenroll.querySelector("button").focus(); }));
    reenroll.querySelector(".confirm").focus();
  };
  offer();
  showDetail("Instellingen", el("section", { class: "card", "aria-labelledby": "settings-title" },
    el("h2", { id: "settings-title", tabindex: "-1", "data-focus": "", text: "Instellingen" }),
    setting("Pincode", "Kies een nieuwe pincode; daarvoor hebt u uw huidige pincode nodig.",
      el("div", { class: "actions" }, button("Pincode wijzigen", showPinChange, "", { id: "change-pin" }))),
    setting("Studiedagen", `Is uw school op een schooldag dicht, zoals op een studiedag? Geef het door aan ${words.sender}.`,
      el("div", { class: "actions" }, button("Studiedag doorgeven", showSchoolDays, "", { id: "school-days" }))),
    setting("Opnieuw aanmelden", `Hiermee verdwijnen de aanmelding van deze computer en alles wat HwC School erop bewaart; daarna hebt u een nieuwe aanmeldcode van ${words.sender} nodig.`, reenroll),
    setting("Dit apparaat wissen", "Gebruikt u deze computer niet meer voor HwC School? Wis dan alles van HwC School erop.",
      el("div", { class: "actions" }, wipeButton(showSettings))),
    el("div", { class: "actions" }, button("Terug", backToOverview, "primary", { id: "settings-back" }))));
}

function setting(title, explanation, actions) {
  return el("div", { class: "setting" },
    el("div", { class: "setting-text" }, el("h3", { text: title }), el("p", { text: explanation })),
    actions);
}

// Study days: the school tells its sender on which days it is closed (only the dates travel,
// nothing stays on this computer), so a signal waits for the next day the school is open.
function showSchoolDays() {
  const done = el("p", { id: "days-reported", class: "saved", role: "status" });
  const report = async (closed) => {
    done.textContent = "";
    unflag();
    const input = document.getElementById("study-days");
    const answer = await run(() => call("report_school_days", { days: input.value, closed }));
    if (answer) { input.value = ""; done.textContent = answer; return; }
    const problem = message.textContent;
    await refresh(); // leaves this screen if the device was locked meanwhile
    const again = document.getElementById("study-days");
    if (!again) return;
    // Only a date the app could not read or the rules refused (not the relay's answers).
    if (/^(datum:|een reeks dagen|geef ten minste|geef 1 tot|een dag)/.test(problem.toLowerCase())) flag(["study-days"]);
    again.focus();
  };
  showDetail("Studiedag doorgeven", el("form", { class: "card", "aria-labelledby": "days-title", onsubmit: (event) => { event.preventDefault(); report(true); } },
    el("h2", { id: "days-title", text: "Studiedag doorgeven" }),
    el("p", { text: `Is uw school op een schooldag dicht, bijvoorbeeld voor een studiedag? Geef de datum hier door aan ${words.sender}. Een signaal voor uw school blijft dan staan tot de eerstvolgende dag dat de school open is.` }),
    field("study-days", "Datum", { autocomplete: "off", required: "", spellcheck: "false" },
      "Zoals 26-10-2026. Meer dagen met komma's ertussen, of van-tot zoals 01-02-2027..03-02-2027."),
    done,
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", text: "Doorgeven: school dicht" }),
      button("Vergissing: school toch open", () => report(false), "", { id: "days-open" }),
      button("Terug naar instellingen", showSettings, "", { id: "days-back" }))));
}

function showPinChange() {
  const done = el("p", { id: "pin-changed", class: "saved", role: "status" });
  showDetail("Pincode wijzigen", el("form", { class: "card", "aria-labelledby": "pin-title", onsubmit: (event) => changePin(event, done) },
    el("h2", { id: "pin-title", text: "Pincode wijzigen" }),
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
  unflag();
  const answer = await run(() => call("change_pin", { current, new: fresh, newAgain: again }));
  for (const id of ids) {
    const input = document.getElementById(id);
    if (input) input.value = "";
  }
  if (answer) { done.textContent = answer; return; }
  const problem = message.textContent;
  await refresh(); // leaves this screen if the device was wiped or locked meanwhile
  const first = document.getElementById("current-pin");
  if (!first) return;
  flag(fieldsFor(problem, { current: ["current-pin"], twice: ["new-pin", "new-pin-again"], fresh: ["new-pin", "new-pin-again"] }));
  first.focus();
}

// Wiping asks for the PIN, so nobody passing by can switch the device off; not on the
// "uitgeschakeld" screen, where the sender already did. The app then tells the sender through
// the relay; if that fails, the person is asked to phone.
function pinToWipe(id) {
  return onScreen === "removed" ? null : field(id, "Uw pincode", PIN_INPUT);
}

async function wipeNow(pinId) {
  say("");
  const input = document.getElementById(pinId);
  const pin = input ? input.value : null;
  if (input) input.value = "";
  let wiped;
  let problem = "";
  try { wiped = await call("wipe_device", { pin }); }
  catch (error) { problem = String(error); }
  if (!wiped) {
    await refresh();
    say(problem);
    flag(fieldsFor(problem, { current: [pinId], fresh: [pinId] }));
    if (document.getElementById(pinId)) document.getElementById(pinId).focus();
    return;
  }
  detail = false;
  drawn = "";
  render(wiped.next);
  if (!wiped.leerplicht_told) say(`Dit apparaat is gewist. ${words.Sender} kon daarover niet automatisch worden ingelicht: bel ${words.sender} dat dit apparaat niet meer wordt gebruikt.`);
}

function wipeButton(back = backToOverview) {
  return button("Wis dit apparaat", () => {
    const box = el("div", { class: "actions" },
      el("p", { class: "confirm", text: `Alles van HwC School op deze computer wordt gewist en ${words.sender} stuurt er geen signalen meer naartoe. Daarna moet u opnieuw aanmelden.` }),
      pinToWipe("wipe-pin"),
      button("Ja, wis dit apparaat", () => wipeNow("wipe-pin"), "danger", { id: "wipe-yes" }),
      button("Nee, terug", back));
    showDetail("Apparaat wissen", el("section", { class: "card", "aria-labelledby": "wipe-title" },
      el("h2", { id: "wipe-title", tabindex: "-1", "data-focus": "", text: "Dit apparaat wissen?" }), box));
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

// Follow the app: the window process sends "hwc-change" whenever something changed (no timer
// here), and the page asks what and redraws. While a signal is open, check that it still
// waits: a colleague may have handled it. Changes that arrive during a round get one more.
let following = false;
let followAgain = false;
async function follow() {
  if (following) { followAgain = true; return; }
  following = true;
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
  } catch (_) { /* the next change asks again */ }
  following = false;
  if (followAgain) {
    followAgain = false;
    follow();
  }
}
window.addEventListener("hwc-change", follow);

resetIdle();
follow();
