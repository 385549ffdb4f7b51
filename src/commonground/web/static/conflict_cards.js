/* Conflict cards shared by the watch center and the officer's page: urgency, place, distance, teams. */
"use strict";
const Cards = (() => {
  const DAY = 24 * 3600e3;
  const GROUP = { open: 0, acknowledged: 1, resolved: 2, dismissed: 2 };
  /** Most urgent first: unacknowledged before acknowledged before closed; active now, then starting soonest; ended last. */
  function urgency(c, now) {
    const s = Date.parse(c.overlap.starts_at), e = Date.parse(c.overlap.ends_at);
    const timing = s <= now && now < e ? 0 : (s > now ? 1 : 2);
    return [GROUP[c.status] ?? 3, timing, timing === 2 ? -e : s];
  }
  function byUrgency(now) {
    return (a, b) => {
      const x = urgency(a, now), y = urgency(b, now);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
      return 0;
    };
  }
  function shown(c, when, now) {
    const s = Date.parse(c.overlap.starts_at), e = Date.parse(c.overlap.ends_at);
    if (when === "now") return s <= now && now < e;
    if (when === "day") return e > now && s < now + DAY;
    return true;
  }
  /** "overlapping" when the areas touch, else how far apart; a subject match says what matched. */
  function apart(c) {
    if (c.kind === "subject") return `same ${CG.esc(c.matched || "subject")}`;
    return c.distance_m != null && c.distance_m < 1 ? "overlapping" : `${CG.metres(c.distance_m)} apart`;
  }
  function centre(area) {
    if (!area) return null;
    if (area.type === "Point") return [area.coordinates[1], area.coordinates[0]];
    const pts = area.type === "Polygon" ? area.coordinates[0] : area.coordinates;
    const lat = pts.reduce((t, p) => t + p[1], 0) / pts.length, lon = pts.reduce((t, p) => t + p[0], 0) / pts.length;
    return [lat, lon];
  }
  /** The address a side typed, else the coordinates: a place a person can say on the radio. */
  function place(ops) {
    const named = ops.map(o => o && o.address).find(Boolean);
    if (named) return CG.esc(named);
    const at = ops.map(o => o && centre(o.area)).find(Boolean);
    return at ? `${at[0].toFixed(4)}, ${at[1].toFixed(4)}` : "";
  }
  /** Who is there and what they look like: the words that prevent a blue-on-blue encounter. */
  function looks(o) {
    return CG.team(o && o.team) || "team not described";
  }
  const OUTCOMES = ["proceed", "joint_operation", "delayed", "cancelled", "other"];
  /** The resolve form: a note and how it ended (the API records `other` when a v1 client gives none; the console asks). */
  function resolveForm(c) {
    if (c.status !== "open" && c.status !== "acknowledged") return "";
    return `<form class="resolve row" data-id="${CG.esc(c.id)}">
      <label>How it ended <select name="outcome" required><option value="">– choose –</option>${
        OUTCOMES.map(o => `<option value="${o}">${CG.esc(CG.label(o))}</option>`).join("")}</select></label>
      <label>Resolution note <input name="note" required></label><button type="submit">Resolve</button></form>`;
  }
  /** "Being handled by …": the watch user who owns the conflict, for the watch and both sides. */
  function owner(c) {
    return c.owner ? `<div class="owner">Being handled by <strong>${CG.esc(c.owner.name)}</strong> since ${CG.hm(c.owner.at)}</div>` : "";
  }
  /** Acknowledge buttons (data-ack, data-op) and resolve forms (data-id) inside ``list``; then ``refresh``. */
  function actions(list, refresh) {
    list.addEventListener("click", async ev => {
      const b = ev.target.closest("button[data-ack]");
      if (!b) return;
      b.disabled = true;
      try { await CG.api(`/api/v1/conflicts/${b.dataset.ack}/ack`, { method: "POST", body: { operation_id: b.dataset.op } }); }
      catch (e) { alert(e.message); }
      refresh();
    });
    list.addEventListener("submit", async ev => {
      const f = ev.target;
      if (!f.matches("form.resolve")) return;
      ev.preventDefault();
      const body = { note: f.note.value, ...(f.outcome && f.outcome.value ? { outcome: f.outcome.value } : {}) };
      try { await CG.api(`/api/v1/conflicts/${f.dataset.id}/resolve`, { method: "POST", body }); }
      catch (e) { alert(e.message); }
      refresh();
    });
  }
  return { urgency, byUrgency, shown, apart, place, looks, centre, actions, resolveForm, owner };
})();

/* A conflict's delivery history: one line per recipient and channel, in the words a person reads. */
const Deliveries = (() => {
  const SIDES = { watch: "the watch center", yours: "your agency", theirs: "their agency" };
  function line(x, times) {
    const who = x.side_name || SIDES[x.side] || "an agency";
    const to = x.to_name || x.to;
    return `${CG.esc(who)} by ${CG.esc(x.channel)}${to ? " (" + CG.esc(to) + ")" : ""}: ${CG.esc(x.status)}` +
      `${x.sent_at ? " at " + CG.hm(x.sent_at) : ""}${times > 1 ? ` (${times} updates)` : ""}` +
      `${x.acknowledged_at ? ", acknowledged " + CG.hm(x.acknowledged_at) : ""}`;
  }
  async function show(id, into) {
    try {
      const c = await CG.api(`/api/v1/conflicts/${id}`);
      // Each change of the conflict is one more delivery to the same place: one line per recipient, the latest.
      const latest = new Map(), count = new Map();
      for (const x of c.deliveries || []) {
        const key = [x.side, x.channel, x.to || ""].join("|");
        latest.set(key, x); count.set(key, (count.get(key) || 0) + 1);
      }
      const lines = [...latest].map(([key, x]) => line(x, count.get(key)));
      into.innerHTML = lines.join("<br>") || "Nothing delivered yet.";
    } catch (e) { into.textContent = "Delivery history could not be read: " + e.message; }
  }
  return { show };
})();
