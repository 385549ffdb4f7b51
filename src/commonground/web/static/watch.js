/* Watch center: open conflicts arriving live (SSE when the stream exists, else polling). */
"use strict";
(() => {
  const list = document.getElementById("conflicts"), empty = document.getElementById("empty");
  const live = document.getElementById("live");
  const map = CG.map("map");
  const layer = L.featureGroup().addTo(map);
  let fitted = false;

  function side(s, c) {
    const o = s.operation, ack = s.acknowledged;
    return `<div class="side"><strong>${CG.esc(o.agency.name)}</strong> <small>${CG.esc(o.agency.ori)}</small>
      <div>${CG.span(o.window)}${o.type ? ` · ${CG.esc(o.type)}` : ""}</div>
      <div>${CG.contact(o.contact)}</div><div class="muted">${CG.team(o.team)}</div>
      ${ack ? `<div class="ok">acknowledged ${CG.hm(ack.at)}${ack.on_behalf ? " (by the watch center)" : ""}</div>`
            : `<button type="button" data-ack="${CG.esc(c.id)}" data-op="${CG.esc(o.id)}">Acknowledge for ${CG.esc(o.agency.name)}</button>`}</div>`;
  }
  function card(c) {
    const sides = c.sides || [];
    const what = c.kind === "subject" ? `same ${CG.esc(c.matched || "subject")}` : `${CG.metres(c.distance_m)} apart`;
    return `<li class="card conflict ${CG.esc(c.status)}" data-id="${CG.esc(c.id)}">
      <div class="head"><span class="badge">${CG.esc(c.kind)}</span> <strong>${what}</strong>, ${CG.span(c.overlap)}
        <small class="muted">detected ${CG.hm(c.detected_at)}, ${CG.esc(c.status)}</small></div>
      <div class="sides">${sides.map(s => side(s, c)).join("")}</div>
      ${c.counterpart ? `<p>${CG.conflictWords(c)}</p>` : ""}
      <form class="resolve row" data-id="${CG.esc(c.id)}"><input name="note" placeholder="Resolution note" required>
        <button type="submit">Resolve</button></form>
      <details class="history" data-id="${CG.esc(c.id)}"><summary>Delivery history</summary><p class="muted">Loading…</p></details></li>`;
  }
  function draw(items) {
    list.innerHTML = items.map(card).join("");
    empty.hidden = items.length > 0;
    layer.clearLayers();
    for (const c of items) {
      for (const s of c.sides || [c.counterpart].filter(Boolean)) {
        const o = s.operation || s;
        const l = CG.areaLayer(o.area, { color: "#c0392b", weight: 2, fillOpacity: 0.25 });
        if (l) l.bindPopup(`${CG.esc(o.agency.name)}<br>${CG.contact(o.contact)}`).addTo(layer);
      }
    }
    if (!fitted && layer.getLayers().length) { map.fitBounds(layer.getBounds().pad(0.5), { maxZoom: 13 }); fitted = true; }
  }
  async function refresh() {
    try {
      const data = await CG.api("/api/v1/conflicts?status=open&limit=200");
      const acked = await CG.api("/api/v1/conflicts?status=acknowledged&limit=200").catch(() => ({ items: [] }));
      draw([...data.items, ...acked.items]);
      live.dataset.updated = String(Date.now());
    } catch (e) { live.textContent = "offline: " + e.message; }
  }
  list.addEventListener("click", async ev => {
    const b = ev.target.closest("button[data-ack]");
    if (!b) return;
    b.disabled = true;
    try { await CG.api(`/api/v1/conflicts/${b.dataset.ack}/ack`, { method: "POST", body: { operation_id: b.dataset.op } }); }
    catch (e) { alert(e.message); }
    refresh();
  });
  list.addEventListener("submit", async ev => {
    ev.preventDefault();
    const f = ev.target;
    try { await CG.api(`/api/v1/conflicts/${f.dataset.id}/resolve`, { method: "POST", body: { note: f.note.value } }); }
    catch (e) { alert(e.message); }
    refresh();
  });
  list.addEventListener("toggle", async ev => {
    const d = ev.target;
    if (!d.matches || !d.matches("details.history") || !d.open) return;
    try {
      const c = await CG.api(`/api/v1/conflicts/${d.dataset.id}`);
      d.querySelector("p").innerHTML = (c.deliveries || []).map(x =>
        `${CG.esc(x.side)} by ${CG.esc(x.channel)}${x.to ? " (" + CG.esc(x.to) + ")" : ""}: ${CG.esc(x.status)}` +
        `${x.sent_at ? " at " + CG.hm(x.sent_at) : ""}${x.acknowledged_at ? ", acknowledged " + CG.hm(x.acknowledged_at) : ""}`
      ).join("<br>") || "Nothing delivered yet.";
    } catch (e) { d.querySelector("p").textContent = "Delivery history could not be read: " + e.message; }
  }, true);

  refresh();
  if (window.EventSource) {
    const es = new EventSource("/api/v1/stream");
    live.textContent = "live";
    for (const kind of ["conflict.created", "conflict.updated"]) es.addEventListener(kind, refresh);
    es.onerror = () => { live.textContent = "reconnecting…"; };
    es.onopen = () => { live.textContent = "live"; };
    setInterval(refresh, 30000);  // belt and braces: a missed event is caught up within 30 s
  } else {
    live.textContent = "updating every 3 s";
    setInterval(refresh, 3000);
  }
})();
