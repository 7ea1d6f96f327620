"use strict";
const KEY_ITEM = "billing.apiKey";
const COLORS = ["#3563e9", "#e8833a", "#2e9d6a", "#a24bd1", "#d13b6a", "#5d6b7a"];
const SCALE = 18n; // money arrives as decimal strings; bars are drawn from exact integers, never binary floats
let polling = null;

const $ = (id) => document.getElementById(id);
const key = () => sessionStorage.getItem(KEY_ITEM);

function units(decimal) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal || "0");
  if (!m) return 0n;
  const frac = (m[3] || "").padEnd(Number(SCALE), "0").slice(0, Number(SCALE));
  const v = BigInt(m[2] + frac);
  return m[1] ? -v : v;
}
const usd = (s) => (s === null || s === undefined) ? "-" : (s.startsWith("-") ? "-$" + s.slice(1) : "$" + s);
const permille = (part, whole) => whole <= 0n ? 0 : Number((part * 1000n) / whole);

function randomKey() {
  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

async function api(method, path, body, headers) {
  const h = Object.assign({ "Authorization": "Bearer " + key() }, headers || {});
  if (body !== undefined) h["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  let json = null;
  try { json = await r.json(); } catch (e) { /* not JSON: reported by status below */ }
  if (r.status === 401) { showKeyPanel("The key was not accepted: " + (json && json.error ? json.error.message : r.status)); throw new Error("401"); }
  return { status: r.status, json };
}

function errorText(res) {
  return res.json && res.json.error ? res.json.error.message : "HTTP " + res.status;
}

function showKeyPanel(message) {
  stopPolling();
  sessionStorage.removeItem(KEY_ITEM);
  $("dashboard").classList.add("hidden");
  $("forget-key").classList.add("hidden");
  $("key-panel").classList.remove("hidden");
  $("account").textContent = "";
  $("key-msg").textContent = message || "";
}

function showDashboard() {
  $("key-panel").classList.add("hidden");
  $("dashboard").classList.remove("hidden");
  $("forget-key").classList.remove("hidden");
  startPolling();
}

const REASONS = {
  BALANCE_EXHAUSTED: "Your balance is used up: API requests return 402 Payment Required. Add credits to resume usage immediately.",
  MONTHLY_LIMIT: "This month's spend reached your monthly hard limit: API requests return 402 Payment Required until the month ends or you raise the limit.",
  UNRECOGNIZED: "API requests return 402 Payment Required."
};

function renderBalance(b) {
  $("account").textContent = b.account_id;
  const status = $("status");
  status.className = "banner " + b.status;
  status.dataset.status = b.status;
  status.textContent = b.status === "ACTIVE" ? "Active: API requests are served."
      : "Blocked. " + (b.reasons.length ? b.reasons.map((r) => REASONS[r] || r).join(" ") : REASONS.UNRECOGNIZED);
  $("balance").textContent = usd(b.balance_usd);
  $("balance").dataset.usd = b.balance_usd;
  $("credits").textContent = usd(b.credits_usd);
  $("spend").textContent = usd(b.spend_usd);
  $("free-credits").textContent = usd(b.free_credits_left_usd);
  $("month-spend").textContent = usd(b.month_spend_usd);
  const bar = $("month-bar");
  if (b.monthly_hard_limit_usd !== null) {
    const pm = permille(units(b.month_spend_usd), units(b.monthly_hard_limit_usd));
    $("month-limit").textContent = "of a " + usd(b.monthly_hard_limit_usd) + " monthly hard limit (" + (pm / 10).toFixed(1) + " %)";
    bar.firstElementChild.style.width = Math.min(100, pm / 10) + "%";
    bar.classList.toggle("over", pm >= 1000);
    bar.classList.remove("hidden");
  } else {
    $("month-limit").textContent = "no monthly hard limit";
    bar.classList.add("hidden");
  }
  // credits, spend and free credits come from the balance table, which may be a flush behind the live balance
  const rowTime = b.row_as_of ? "(as of " + b.row_as_of.slice(11, 19) + " UTC)" : "(not written yet)";
  document.querySelectorAll(".row-as-of").forEach((e) => { e.textContent = rowTime; });
  $("thresholds").textContent = b.alert_thresholds_usd.length ? b.alert_thresholds_usd.map(usd).join(", ") : "none";
  $("as-of").textContent = b.as_of ? new Date(b.as_of).toISOString().replace("T", " ").replace("Z", " UTC") : "-";
  $("source").textContent = b.source === "account-status" ? "the live status" : "the balance table";
}

async function pollBalance() {
  const res = await api("GET", "/v1/billing/balance");
  if (res.status === 200) {
    renderBalance(res.json);
  } else {
    const status = $("status");
    status.className = "banner UNKNOWN";
    status.dataset.status = "UNKNOWN";
    status.textContent = errorText(res);
  }
}

async function pollAlerts() {
  const res = await api("GET", "/v1/billing/alerts");
  if (res.status !== 200) return;
  const list = $("alerts");
  list.replaceChildren();
  if (!res.json.data.length) {
    const li = document.createElement("li"); li.className = "small"; li.textContent = "none"; list.append(li);
  }
  for (const a of res.json.data) {
    const li = document.createElement("li");
    const when = new Date(a.occurred_at).toISOString().slice(0, 16).replace("T", " ");
    li.textContent = when + " UTC - " + (a.type === "SPEND_THRESHOLD"
        ? "this month's spend reached " + usd(a.threshold_usd) + " (" + usd(a.month_spend_usd) + " in " + a.month + ")"
        : a.type === "LOW_BALANCE" ? "low balance: " + usd(a.balance_usd) + " left" : a.type);
    list.append(li);
  }
}

let awaitedPurchase = null; // the request id of the page's last purchase, until it is credited

async function pollPurchases() {
  const res = await api("GET", "/v1/billing/credits");
  if (res.status !== 200) return;
  const list = $("purchases");
  list.replaceChildren();
  if (!res.json.data.length) {
    const li = document.createElement("li"); li.className = "small"; li.textContent = "no purchases in the last 24 hours"; list.append(li);
  }
  for (const p of res.json.data) {
    const li = document.createElement("li");
    li.dataset.requestId = p.request_id;
    li.dataset.status = p.status;
    const at = p.requested_at || p.credited_at;
    li.textContent = new Date(at).toISOString().slice(0, 16).replace("T", " ") + " UTC - " + usd(p.amount_usd)
        + (p.source === "AUTO_TOPUP" ? " auto top-up" : " purchase") + ": "
        + (p.status === "credited" ? "credited" : "pending, waiting for the payment");
    list.append(li);
    if (p.request_id === awaitedPurchase && p.status === "credited") {
      awaitedPurchase = null;
      message("credits-msg", true, "Added " + usd(p.amount_usd) + ": the payment succeeded. The balance updates in a moment.");
    }
  }
}

function day(d) { return d.toISOString().slice(0, 10); }

async function pollUsage() {
  const today = new Date(); today.setUTCHours(0, 0, 0, 0);
  const from = new Date(today.getTime() - 13 * 86400000);
  const to = new Date(today.getTime() + 86400000);
  const res = await api("GET", "/v1/billing/usage?granularity=day&from=" + day(from) + "&to=" + day(to));
  if (res.status !== 200) return;
  const days = [];
  for (let t = from.getTime(); t < to.getTime(); t += 86400000) days.push(day(new Date(t)));
  const models = [...new Set(res.json.data.map((l) => l.model))].sort();
  const cost = {};
  let max = 0n;
  for (const d of days) cost[d] = {};
  for (const l of res.json.data) {
    const d = l.period_start.slice(0, 10);
    if (cost[d]) cost[d][l.model] = units(l.cost_usd);
  }
  const totals = {};
  for (const d of days) {
    totals[d] = Object.values(cost[d]).reduce((a, b) => a + b, 0n);
    if (totals[d] > max) max = totals[d];
  }
  drawChart(days, models, cost, totals, max);
}

function drawChart(days, models, cost, totals, max) {
  const svg = $("usage-chart");
  const W = 1100, H = 220, left = 8, bottom = 22, top = 16;
  const slot = (W - left) / days.length, barW = slot * 0.62;
  const ns = "http://www.w3.org/2000/svg";
  const el = (name, attrs, text) => {
    const e = document.createElementNS(ns, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  svg.replaceChildren(el("line", { x1: left, x2: W, y1: H - bottom, y2: H - bottom, stroke: "#c4c6cb" }));
  const plotH = H - bottom - top;
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = H - bottom;
    models.forEach((m, j) => {
      const v = cost[d][m] || 0n;
      if (v <= 0n) return;
      const h = Math.max(1, plotH * permille(v, max) / 1000);
      y -= h;
      const r = el("rect", { x, y, width: barW, height: h, fill: COLORS[j % COLORS.length] });
      r.append(el("title", {}, d + " " + m + ": $" + formatUnits(v)));
      svg.append(r);
    });
    if (totals[d] > 0n) svg.append(el("text", { x: x + barW / 2, y: y - 3, "text-anchor": "middle" }, "$" + formatUnits(totals[d], 4)));
    svg.append(el("text", { x: x + barW / 2, y: H - 6, "text-anchor": "middle" }, d.slice(5)));
  });
  const legend = $("usage-legend");
  legend.replaceChildren();
  if (!models.length) legend.textContent = "No usage in these days yet.";
  models.forEach((m, j) => {
    const s = document.createElement("span");
    const i = document.createElement("i"); i.style.background = COLORS[j % COLORS.length];
    s.append(i, m); legend.append(s);
  });
}

/** An exact amount of 10^-18 units as a decimal string with at most {@code digits} decimals (rounded down). */
function formatUnits(v, digits) {
  const neg = v < 0n; if (neg) v = -v;
  const s = v.toString().padStart(Number(SCALE) + 1, "0");
  let int = s.slice(0, s.length - Number(SCALE)), frac = s.slice(s.length - Number(SCALE)).replace(/0+$/, "");
  if (digits !== undefined) frac = frac.slice(0, digits);
  frac = frac.padEnd(2, "0");
  return (neg ? "-" : "") + int + "." + frac;
}

function every(ms, fn) {
  let stopped = false, timer = null;
  const run = async () => {
    try { await fn(); } catch (e) { /* a failed poll is retried at the next tick */ }
    if (!stopped) timer = setTimeout(run, ms);
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}

function startPolling() {
  stopPolling();
  polling = [every(500, pollBalance), every(1000, pollPurchases), every(2000, pollAlerts), every(5000, pollUsage)];
}
function stopPolling() {
  if (polling) polling.forEach((stop) => stop());
  polling = null;
}

function message(id, ok, text) {
  const m = $(id); m.className = "msg " + (ok ? "ok" : "error"); m.textContent = text;
}

$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(KEY_ITEM, $("key").value.trim());
  $("key").value = "";
  showDashboard();
});
$("forget-key").addEventListener("click", () => showKeyPanel(""));

let pendingPurchase = null;
$("credits-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const amount = $("credit-amount").value.trim();
  // one key per purchase: submitting the same amount again after an unconfirmed answer (503, no
  // answer) reuses it, so the card is charged and credited once; a confirmed or refused purchase ends it
  if (!pendingPurchase || pendingPurchase.amount !== amount) pendingPurchase = { amount: amount, key: randomKey() };
  const res = await api("POST", "/v1/billing/credits", { amount_usd: amount }, { "Idempotency-Key": pendingPurchase.key });
  if (res.status === 202 || (res.status >= 400 && res.status < 500)) pendingPurchase = null;
  if (res.status === 202 && res.json.status === "credited") {
    message("credits-msg", true, "Added " + usd(res.json.amount_usd) + ": the payment succeeded.");
  } else if (res.status === 202) {
    awaitedPurchase = res.json.request_id;
    message("credits-msg", true, "Purchase of " + usd(res.json.amount_usd) + " requested: pending until the payment succeeds.");
  } else {
    message("credits-msg", false, errorText(res));
  }
  pollPurchases();
  pollBalance();
});

$("limits-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const limit = $("limit-amount").value.trim();
  const thresholds = $("threshold-amounts").value.split(",").map((s) => s.trim()).filter((s) => s.length);
  const res = await api("PUT", "/v1/billing/limits", { monthly_hard_limit_usd: limit === "" ? null : limit, alert_thresholds_usd: thresholds });
  if (res.status === 202) message("limits-msg", true, "Saved: " + (res.json.monthly_hard_limit_usd === null ? "no hard limit"
      : "hard limit " + usd(res.json.monthly_hard_limit_usd)) + (res.json.alert_thresholds_usd.length
      ? ", alerts at " + res.json.alert_thresholds_usd.map(usd).join(", ") : ", no alerts") + ".");
  else message("limits-msg", false, errorText(res));
});

async function saveTopUp(body) {
  const res = await api("PUT", "/v1/billing/auto-topup", body);
  if (res.status === 202) message("topup-msg", true, res.json.enabled
      ? "Auto top-up on: " + usd(res.json.amount_usd) + " when the balance falls below " + usd(res.json.below_usd) + "."
      : "Auto top-up off.");
  else message("topup-msg", false, errorText(res));
}
$("topup-form").addEventListener("submit", (e) => {
  e.preventDefault();
  saveTopUp({ below_usd: $("topup-below").value.trim(), amount_usd: $("topup-amount").value.trim() });
});
$("topup-off").addEventListener("click", () => saveTopUp({ below_usd: null, amount_usd: null }));

if (key()) showDashboard(); else showKeyPanel("");
