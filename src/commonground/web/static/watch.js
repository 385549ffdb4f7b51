/* Watch center: every conflict, most urgent first; a new or escalated one arrives on top, highlighted and heard. */
"use strict";
(() => {
  const list = document.getElementById("conflicts"), empty = document.getElementById("empty");
  const live = document.getElementById("live"), sound = document.getElementById("sound");
  const map = CG.map("map");
  const layer = L.featureGroup().addTo(map);
  const baseTitle = document.title;
  let items = [], known = null, fitted = false, audio = null;
  const fresh = new Set();

  sound.checked = localStorage.getItem("cg.sound") !== "off";  // on unless the analyst switched it off
  sound.addEventListener("change", () => localStorage.setItem("cg.sound", sound.checked ? "on" : "off"));
  function alarm() {
    if (!sound.checked) return;
    sound.dataset.played = String(Number(sound.dataset.played) + 1);
    try {
      audio = audio || new AudioContext();
      for (const [at, hz] of [[0, 880], [0.25, 660]]) {
        const o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = hz; g.gain.value = 0.25; o.connect(g).connect(audio.destination);
        o.start(audio.currentTime + at); o.stop(audio.currentTime + at + 0.2);
      }
    } catch (e) { /* no audio device: the highlight and the title still say it */ }
  }

  /** A side's operation, or its case target (docs/targets.md): an agency and a contact, no place. */
  const party = s => s.operation || s.case;
  function side(s, c) {
    const o = party(s), ack = s.acknowledged;
    const state = ack ? `<span class="ok">acknowledged ${CG.hm(ack.at)}${ack.on_behalf ? " (by the watch center)" : ""}</span>`
      : c.status === "open" ? `<button type="button" data-ack="${CG.esc(c.id)}" data-op="${CG.esc(o.id)}"
          aria-label="Acknowledge for ${CG.esc(o.agency.name)}">Acknowledge</button>` : "";
    return `<div class="side"><div class="who-line"><strong>${CG.esc(o.agency.name)}</strong>
      ${o.type ? `<span class="muted">${CG.esc(CG.label(o.type))}</span>` : ""}${s.case ? `<span class="muted">case target${o.case_number ? ` ${CG.esc(o.case_number)}` : ""}</span>` : ""} ${state}</div>
      <div>${CG.contact(o.contact)}</div><div class="muted">${Cards.looks(o)}</div></div>`;
  }
  const workable = c => c.status === "open" || c.status === "acknowledged";
  const opened = new Set();  // cards whose details the analyst opened stay open across refreshes
  const METHODS = ["phone", "radio", "email", "in_person"];
  /** The watch's attempts to reach each side, oldest first: who was tried, how, and whether anyone answered. */
  function calls(c) {
    const names = Object.fromEntries((c.sides || []).map((s, i) => [i ? "b" : "a", party(s).agency.name]));
    const tried = (c.contacts || []).map(x => `<li>${CG.hm(x.at)} ${CG.esc(CG.label(x.method))} to ${CG.esc(names[x.side] || x.side)}:
      ${x.reached ? "reached" : "not reached"}${x.note ? ` – ${CG.esc(x.note)}` : ""}</li>`).join("");
    return tried ? `<ol class="calls" aria-label="Calls made">${tried}</ol>` : "";
  }
  function contactForm(c) {
    const sides = (c.sides || []).map((s, i) => `<option value="${i ? "b" : "a"}">${CG.esc(party(s).agency.name)}</option>`).join("");
    return `<form class="contact row" data-id="${CG.esc(c.id)}"><label>Called <select name="side">${sides}</select></label>
      <label>By <select name="method">${METHODS.map(m => `<option value="${m}">${CG.esc(CG.label(m))}</option>`).join("")}</select></label>
      <label class="check"><input type="checkbox" name="reached"> Reached someone</label>
      <label>Note <input name="note" maxlength="1000"></label><button type="submit">Log the call</button></form>`;
  }
  function card(c) {
    const sides = c.sides || [], isFresh = fresh.has(c.id);
    return `<li class="card conflict ${CG.esc(c.status)}${isFresh ? " fresh" : ""}" data-id="${CG.esc(c.id)}">
      <div class="head">${isFresh ? `<span class="badge new">new</span> ` : ""}<strong>${Cards.apart(c)}</strong>
        · <span class="place">${Cards.place(sides.map(party))}</span> · ${CG.span(c.overlap)}
        <span class="badge">${CG.esc(CG.label(c.status))}</span>
        ${isFresh ? `<button type="button" class="link" data-seen="${CG.esc(c.id)}">Mark seen</button>` : ""}
        ${workable(c) ? `<button type="button" class="link" data-assign="${CG.esc(c.id)}">${c.owner ? "Take over" : "Take ownership"}</button>` : ""}</div>
      <div class="sides">${sides.map(s => side(s, c)).join("")}</div>
      ${Cards.owner(c)}
      <details class="more" data-id="${CG.esc(c.id)}"${opened.has(c.id) ? " open" : ""}><summary>Calls · resolve · delivery history</summary>
        ${calls(c)}${workable(c) ? contactForm(c) : ""}${Cards.resolveForm(c)}
        <p class="muted history">Loading…</p></details></li>`;
  }
  function draw() {
    const now = Date.now(), when = document.querySelector("input[name=when]:checked").value;
    for (const c of items) if (c.status !== "open") fresh.delete(c.id);
    const order = Cards.byUrgency(now);
    const shown = items.filter(c => fresh.has(c.id) || Cards.shown(c, when, now))
      .sort((a, b) => (fresh.has(b.id) - fresh.has(a.id)) || order(a, b));
    list.innerHTML = shown.map(card).join("");
    empty.hidden = shown.length > 0;
    const waiting = items.filter(c => c.status === "open").length;
    document.title = (waiting ? `(${waiting}) ` : "") + baseTitle;
    layer.clearLayers();
    for (const c of shown) {
      for (const s of c.sides || []) {
        if (!s.operation) continue;  // a case target has no place to draw
        const l = CG.areaLayer(s.operation.area, { color: "#c0392b", weight: 2, fillOpacity: 0.25 });
        if (l) l.bindPopup(`${CG.esc(s.operation.agency.name)}<br>${CG.contact(s.operation.contact)}`).addTo(layer);
      }
    }
    if (!fitted && layer.getLayers().length) { map.fitBounds(layer.getBounds().pad(0.5), { maxZoom: 13 }); fitted = true; }
  }
  async function refresh() {
    try {
      const pages = await Promise.all(["open", "acknowledged", "resolved"].map(s =>
        CG.api(`/api/v1/conflicts?status=${s}&limit=200`).catch(() => ({ items: [] }))));
      items = pages.flatMap(p => p.items);
      const arrived = known ? items.filter(c => !known.has(c.id) && c.status === "open") : [];
      known = new Set(items.map(c => c.id));
      for (const c of arrived) fresh.add(c.id);
      draw();
      if (arrived.length) alarm();
      live.dataset.updated = String(Date.now());
    } catch (e) { live.textContent = "offline: " + e.message; }
  }
  function escalated(ev) {
    let id = null;
    try { const d = JSON.parse(ev.data || "null"); id = d && (d.id || (d.conflict && d.conflict.id)); } catch (e) { /* no body */ }
    if (id) { fresh.add(id); alarm(); }
    refresh();
  }
  document.querySelector("fieldset.filter").addEventListener("change", draw);
  list.addEventListener("click", async ev => {
    const seen = ev.target.closest("button[data-seen]");
    if (seen) { fresh.delete(seen.dataset.seen); draw(); }
    const take = ev.target.closest("button[data-assign]");
    if (take) {
      take.disabled = true;
      try { await CG.api(`/api/v1/conflicts/${take.dataset.assign}/assign`, { method: "POST" }); } catch (e) { alert(e.message); }
      refresh();
    }
  });
  list.addEventListener("submit", async ev => {
    const f = ev.target;
    if (!f.matches("form.contact")) return;
    ev.preventDefault();
    const body = { side: f.side.value, method: f.method.value, reached: f.reached.checked, ...(f.note.value.trim() ? { note: f.note.value.trim() } : {}) };
    try { await CG.api(`/api/v1/conflicts/${f.dataset.id}/contacts`, { method: "POST", body }); } catch (e) { alert(e.message); }
    refresh();
  });
  Cards.actions(list, refresh);
  list.addEventListener("toggle", ev => {
    const d = ev.target;
    if (!d.matches || !d.matches("details.more")) return;
    if (d.open) { opened.add(d.dataset.id); Deliveries.show(d.dataset.id, d.querySelector("p.history")); } else opened.delete(d.dataset.id);
  }, true);

  // An agency whose alerts are not getting through: named at the top until the page is reloaded.
  const failingBox = document.getElementById("failing"), failingAgencies = new Map();
  async function failingAlert(ev) {
    const d = JSON.parse(ev.data);
    let name = d.agency_id;
    try { name = (await CG.api(`/api/v1/agencies/${d.agency_id}`)).name; } catch (e) { /* the id stays */ }
    const seen = failingAgencies.get(d.agency_id) || new Set();
    seen.add(d.channel); failingAgencies.set(d.agency_id, { name, channels: seen });
    failingBox.hidden = false;
    failingBox.innerHTML = `<strong>Alerts not getting through.</strong> Call these agencies' duty desks: <ul>${
      [...failingAgencies.values()].map(a => `<li>${CG.esc(a.name)}: ${CG.esc([...a.channels].join(", "))} failing</li>`).join("")}</ul>`;
    alarm();
  }

  refresh();
  if (window.EventSource) {
    const es = new EventSource("/api/v1/stream");
    live.textContent = "live";
    for (const kind of ["conflict.created", "conflict.updated"]) es.addEventListener(kind, refresh);
    for (const kind of ["conflict.escalated", "conflict.urgent"]) es.addEventListener(kind, escalated);
    es.addEventListener("delivery.failing", failingAlert);
    es.onerror = () => { live.textContent = "reconnecting…"; };
    es.onopen = () => { live.textContent = "live"; };
    setInterval(refresh, 30000);  // belt and braces: a missed event is caught up within 30 s
  } else {
    live.textContent = "updating every 3 s";
    setInterval(refresh, 3000);
  }
  setInterval(draw, 60000);  // "active now" moves with the clock
})();
