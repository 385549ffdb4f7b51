/* Common Ground console: shared helpers (API calls, plain-words answers, offline map). */
"use strict";
const CG = (() => {
  const csrf = document.querySelector('meta[name="csrf"]').content;

  async function api(path, opts = {}) {
    const init = { method: opts.method || "GET", credentials: "same-origin",
                   headers: { "Accept": "application/json", "X-CSRF-Token": csrf, ...(opts.headers || {}) } };
    if (opts.body !== undefined) { init.body = JSON.stringify(opts.body); init.headers["Content-Type"] = "application/json"; }
    const res = await fetch(path, init);
    if (res.status === 401) { location.href = "/login"; throw new Error("signed out"); }
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const err = (data && data.error) || {};
      const where = err.details && err.details.field ? ` (${err.details.field})` : "";
      const failure = new Error((err.message || `HTTP ${res.status}`) + where);
      failure.field = err.details && err.details.field;  // lets a form mark the field the API named
      throw failure;
    }
    return data;
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  // --- times: always in the signed-in agency's zone, and said so ----------------------
  const zone = document.body.dataset.zone || undefined;
  const inZone = extra => ({ timeZone: zone, ...extra });
  function hm(iso) { return new Date(iso).toLocaleTimeString("en-GB", inZone({ hour: "2-digit", minute: "2-digit", hour12: false })); }
  function day(iso) { return new Date(iso).toLocaleDateString([], inZone({ weekday: "short", month: "short", day: "numeric" })); }
  function zoneName(iso) {
    const part = new Intl.DateTimeFormat("en-US", inZone({ timeZoneName: "short" })).formatToParts(new Date(iso))
      .find(p => p.type === "timeZoneName");
    return part ? part.value : "";
  }
  function span(w) { return w ? `${day(w.starts_at)} ${hm(w.starts_at)}–${hm(w.ends_at)} ${zoneName(w.starts_at)}` : ""; }
  /** The wall-clock fields of an instant in the agency's zone. */
  function wall(t) {
    const parts = new Intl.DateTimeFormat("en-US", inZone({ hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit" })).formatToParts(new Date(t));
    const f = Object.fromEntries(parts.map(p => [p.type, p.value]));
    return { y: +f.year, mo: +f.month, d: +f.day, h: +f.hour % 24, mi: +f.minute, s: +f.second };
  }
  /** "2026-12-05T10:00" typed in the agency's zone, as an ISO instant (what the API needs: a zone). */
  function fromWall(text) {
    const [date, time] = text.split("T"), [y, mo, d] = date.split("-").map(Number), [h, mi] = time.split(":").map(Number);
    const asUTC = Date.UTC(y, mo - 1, d, h, mi);
    let t = asUTC;
    for (let i = 0; i < 2; i++) {  // twice: the offset at the guess may differ from the offset at the answer
      const w = wall(t);
      t = asUTC - (Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - t);
    }
    return new Date(t).toISOString();
  }
  /** An instant as the agency's wall clock, for a datetime-local input. */
  function toWall(t) {
    const w = wall(t), pad = n => String(n).padStart(2, "0");
    return `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}`;
  }
  /** The words for a vocabulary identifier: "plain_clothes" reads "Plain clothes" (as web/vocabulary.py). */
  function label(v) { const s = String(v || "").replace(/_/g, " "); return s.charAt(0).toUpperCase() + s.slice(1); }
  function metres(m) { return m == null ? "" : (m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`); }
  function tel(phone) { return phone ? `<a class="tel" href="tel:${esc(String(phone).replace(/[^0-9+]/g, ""))}">${esc(phone)}</a>` : ""; }
  function contact(c) {
    if (!c) return "";
    return `call ${esc(c.name)} at ${tel(c.phone)}${c.radio ? ` (radio ${esc(c.radio)})` : ""}`;
  }
  function team(t) {
    if (!t) return "";
    return [t.personnel ? `${t.personnel} people` : "", t.attire ? label(t.attire).toLowerCase() : "", t.vehicles || ""]
      .filter(Boolean).map(esc).join(" · ");
  }
  /** One conflict from the caller's side, in plain words. */
  function conflictWords(c) {
    const o = c.counterpart || {};
    const who = o.agency ? esc(o.agency.name) : "another agency";
    const what = c.kind === "subject" ? `same ${esc(c.matched || "subject")}`
      : (c.distance_m != null && c.distance_m < 1 ? "overlapping" : `${metres(c.distance_m)} away`);
    const looks = team(o.team);
    return `Conflict: ${who}, ${what}, ${span(o.window || c.overlap)} — ${contact(o.contact)}` +
      (looks ? `. <span class="looks">Their team: ${looks}</span>` : "");
  }

  // --- map: boundaries only unless a tile server is configured -----------------------
  const boundaryStyle = { color: "#5b6b7f", weight: 1, fill: false, interactive: false };
  let atlas = null;
  function fetchJSON(url) { return fetch(url).then(r => r.json()); }
  function map(id, opts = {}) {
    const el = document.getElementById(id);
    const m = L.map(el, { zoomControl: true, attributionControl: true, preferCanvas: true })
      .setView(opts.center || [39.5, -96.5], opts.zoom || 4);
    const tiles = document.body.dataset.tiles;
    if (tiles) L.tileLayer(tiles, { attribution: document.body.dataset.attribution || "", maxZoom: 19 }).addTo(m);
    else m.attributionControl.addAttribution("Boundaries: US Census (us-atlas)");
    L.control.scale({ imperial: true, metric: true }).addTo(m);
    const states = L.layerGroup().addTo(m), counties = L.layerGroup();
    atlas = atlas || Promise.all([fetchJSON("/static/vendor/us-atlas/states-10m.json"),
                                  fetchJSON("/static/vendor/us-atlas/counties-10m.json")]);
    atlas.then(([st, co]) => {
      L.geoJSON(topojson.mesh(st, st.objects.states), { style: { ...boundaryStyle, weight: 1.6 } }).addTo(states);
      L.geoJSON(topojson.mesh(co, co.objects.counties, (a, b) => a !== b), { style: { ...boundaryStyle, weight: 0.6, dashArray: "3 3" } }).addTo(counties);
      const sync = () => (m.getZoom() >= 6 ? counties.addTo(m) : counties.remove());
      m.on("zoomend", sync); sync();
    });
    return m;
  }
  function areaLayer(area, style) {
    if (!area) return null;
    if (area.type === "Point") {
      const [lon, lat] = area.coordinates;
      return L.circle([lat, lon], { radius: area.radius_m || 50, ...style });
    }
    return L.geoJSON(area, { style });
  }
  return { api, esc, hm, day, span, zoneName, fromWall, toWall, label, metres, tel, contact, team, conflictWords, map, areaLayer, csrf };
})();
