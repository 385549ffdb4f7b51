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
    const o = c.counterpart || c.counterpart_case || {};  // an operation, or a case target (no team, no window)
    const where = o.installation ? ` (installation ${esc(o.installation.name)})` : "";  // a peer installation's
    const who = (o.agency ? esc(o.agency.name) : "another agency") + where;
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
  /** Where a map opens: the agency's jurisdiction when it has one (data-home), else the whole country. */
  function home(m) {
    const box = (document.body.dataset.home || "").split(",").map(Number);
    if (box.length === 4 && box.every(Number.isFinite)) m.fitBounds([[box[1], box[0]], [box[3], box[2]]]);
    else m.setView([39.5, -96.5], 4);
  }
  /** The middle of a GeoJSON feature's bounding box: where its name is written. */
  function extent(feature) {
    let w = 180, s = 90, e = -180, n = -90;
    const walk = c => { if (typeof c[0] === "number") { w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]); } else c.forEach(walk); };
    walk(feature.geometry.coordinates);
    return L.latLngBounds([s, w], [n, e]);
  }
  function labels(features) {
    return features.filter(f => f.properties && f.properties.name && f.geometry)
      .map(f => { const box = extent(f); return { name: f.properties.name, at: box.getCenter(), box }; });
  }
  function notice(m, html) {
    const box = L.control({ position: "bottomleft" });
    box.onAdd = () => { const d = L.DomUtil.create("div", "map-note"); d.innerHTML = html; return d; };
    box.addTo(m);
  }
  function locateControl(m) {
    const ctl = L.control({ position: "topleft" });
    ctl.onAdd = () => {
      const b = L.DomUtil.create("button", "locate");
      b.type = "button"; b.textContent = "Use my location";
      L.DomEvent.disableClickPropagation(b);
      b.addEventListener("click", () => {
        if (!navigator.geolocation) { b.textContent = "Location unavailable"; return; }
        b.disabled = true; b.textContent = "Locating…";
        navigator.geolocation.getCurrentPosition(pos => {
          b.disabled = false; b.textContent = "Use my location";
          const at = L.latLng(pos.coords.latitude, pos.coords.longitude);
          m.setView(at, 16);
          m.fire("cg:located", { latlng: at });  // a page that takes a point (look-up, operation) sets it
        }, err => { b.disabled = false; b.textContent = "Location refused: " + err.message; }, { enableHighAccuracy: true, timeout: 10000 });
      });
      return b;
    };
    ctl.addTo(m);
  }
  function map(id, opts = {}) {
    const el = document.getElementById(id);
    const m = L.map(el, { zoomControl: true, attributionControl: true, preferCanvas: true });
    if (opts.center) m.setView(opts.center, opts.zoom || 13); else home(m);
    const tiles = document.body.dataset.tiles;
    if (tiles) L.tileLayer(tiles, { attribution: document.body.dataset.attribution || "", maxZoom: 19 }).addTo(m);
    else {
      m.attributionControl.addAttribution("Boundaries and names: US Census (us-atlas)");
      notice(m, "No street map: state and county boundaries and names only. A street basemap needs <code>COMMONGROUND_CONSOLE_TILE_URL</code>.");
    }
    L.control.scale({ imperial: true, metric: true }).addTo(m);
    locateControl(m);
    const view = () => { el.dataset.bounds = m.getBounds().toBBoxString(); };  // what the map shows, for tests and tools
    m.on("moveend", view); view();
    const states = L.layerGroup().addTo(m), counties = L.layerGroup(), names = L.layerGroup().addTo(m);
    atlas = atlas || Promise.all([fetchJSON("/static/vendor/us-atlas/states-10m.json"),
                                  fetchJSON("/static/vendor/us-atlas/counties-10m.json")]);
    atlas.then(([st, co]) => {
      L.geoJSON(topojson.mesh(st, st.objects.states), { style: { ...boundaryStyle, weight: 1.6 } }).addTo(states);
      L.geoJSON(topojson.mesh(co, co.objects.counties, (a, b) => a !== b), { style: { ...boundaryStyle, weight: 0.6, dashArray: "3 3" } }).addTo(counties);
      const stateNames = labels(topojson.feature(st, st.objects.states).features);
      const countyNames = labels(topojson.feature(co, co.objects.counties).features);
      // Place names where the packaged data has them: states when zoomed out, counties when zoomed in.
      const sync = () => {
        const z = m.getZoom(), view = m.getBounds();
        if (z >= 6) counties.addTo(m); else counties.remove();
        names.clearLayers();
        let shown = (z >= 8 ? countyNames.map(c => ({ ...c, name: c.name + " County" })) : (z >= 4 ? stateNames : []))
          .filter(p => view.contains(p.at));
        if (!shown.length && z >= 8) {  // zoomed into one county: name it where the eye is, near the top of the map
          const c = m.getCenter(), near = countyNames.filter(p => p.box.contains(c))
            .sort((a, b) => a.at.distanceTo(c) - b.at.distanceTo(c))[0];
          if (near) shown = [{ name: near.name + " County", at: L.latLng(view.getNorth() - (view.getNorth() - view.getSouth()) * 0.08, c.lng) }];
        }
        for (const p of shown) {
          L.marker(p.at, { interactive: false, keyboard: false,
            icon: L.divIcon({ className: "place-label", html: esc(p.name), iconSize: null }) }).addTo(names);
        }
      };
      m.on("zoomend moveend", sync); sync();
    });
    return m;
  }

  // --- address search: only with a configured geocoder (COMMONGROUND_CONSOLE_GEOCODER_URL) --
  const geocoder = document.body.dataset.geocoder || "";
  /** Places for a typed address, from a Nominatim- or Pelias-compatible geocoder: [{lat, lon, label}]. */
  async function geocode(q) {
    if (!geocoder) throw new Error("no address search is configured (COMMONGROUND_CONSOLE_GEOCODER_URL)");
    const res = await fetch(geocoder.replace("{q}", encodeURIComponent(q)), { headers: { Accept: "application/json" }, credentials: "omit" });
    if (!res.ok) throw new Error(`the address search answered ${res.status}`);
    const data = await res.json();
    if (Array.isArray(data)) return data.map(p => ({ lat: +p.lat, lon: +p.lon, label: p.display_name || p.name || "" }));  // Nominatim
    return (data.features || []).map(f => ({ lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0],
                                             label: (f.properties && (f.properties.label || f.properties.name)) || "" }));  // Pelias
  }

  function areaLayer(area, style) {
    if (!area) return null;
    if (area.type === "Point") {
      const [lon, lat] = area.coordinates;
      return L.circle([lat, lon], { radius: area.radius_m || 50, ...style });
    }
    return L.geoJSON(area, { style });
  }
  /** Wire an address field to the geocoder: the found places are listed; picking one calls ``pick(lat, lon, label)``. */
  function addressFinder(input, button, out, pick) {
    if (!geocoder) { button.hidden = true; return; }
    button.addEventListener("click", async () => {
      out.textContent = "Searching…";
      try {
        const found = await geocode(input.value.trim());
        if (!found.length) { out.textContent = "No place found for that address."; return; }
        out.innerHTML = `<ul class="places">${found.slice(0, 5).map((p, i) =>
          `<li><button type="button" class="link" data-i="${i}">${esc(p.label)}</button></li>`).join("")}</ul>`;
        out.querySelectorAll("button[data-i]").forEach(b => b.addEventListener("click", () => {
          const p = found[Number(b.dataset.i)]; out.textContent = p.label; pick(p.lat, p.lon, p.label);
        }));
        if (found.length === 1) { out.textContent = found[0].label; pick(found[0].lat, found[0].lon, found[0].label); }
      } catch (e) { out.textContent = e.message; }
    });
  }
  return { api, esc, hm, day, span, addressFinder, zoneName, fromWall, toWall, label, metres, tel, contact, team, conflictWords, map, areaLayer, csrf, geocode, geocoder };
})();
