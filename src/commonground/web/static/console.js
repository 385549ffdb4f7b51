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
      throw new Error((err.message || `HTTP ${res.status}`) + where);
    }
    return data;
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function hm(iso) { return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false }); }
  function day(iso) { return new Date(iso).toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" }); }
  function span(w) { return w ? `${day(w.starts_at)} ${hm(w.starts_at)}–${hm(w.ends_at)}` : ""; }
  function metres(m) { return m == null ? "" : (m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`); }
  function tel(phone) { return phone ? `<a class="tel" href="tel:${esc(String(phone).replace(/[^0-9+]/g, ""))}">${esc(phone)}</a>` : ""; }
  function contact(c) {
    if (!c) return "";
    return `call ${esc(c.name)} at ${tel(c.phone)}${c.radio ? ` (radio ${esc(c.radio)})` : ""}`;
  }
  function team(t) {
    if (!t) return "";
    return [t.personnel ? `${t.personnel} people` : "", t.attire ? String(t.attire).replace("_", " ") : "", t.vehicles || ""]
      .filter(Boolean).map(esc).join(" · ");
  }
  /** One conflict from the caller's side, in plain words. */
  function conflictWords(c) {
    const o = c.counterpart || {};
    const where = o.installation ? ` (installation ${esc(o.installation.name)})` : "";  // a peer installation's
    const who = (o.agency ? esc(o.agency.name) : "another agency") + where;
    const what = c.kind === "subject" ? `same ${esc(c.matched || "subject")}` : `${metres(c.distance_m)} away`;
    return `Conflict: ${who}, ${what}, ${span(o.window || c.overlap)} — ${contact(o.contact)}`;
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
  return { api, esc, hm, day, span, metres, tel, contact, team, conflictWords, map, areaLayer, csrf };
})();
