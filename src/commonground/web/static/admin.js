/* Agency admin: jurisdiction upload with a map preview, and the notification channels. */
"use strict";
(() => {
  const el = document.getElementById("map");
  const map = CG.map("map");
  const current = L.featureGroup().addTo(map), preview = L.featureGroup().addTo(map);
  const status = document.getElementById("jurisdiction-status"), save = document.getElementById("save-jurisdiction");
  const existing = JSON.parse(el.dataset.jurisdiction || "null");
  if (existing) {
    L.geoJSON(existing, { style: { color: "#2e7d32", weight: 2, fillOpacity: 0.08 } }).addTo(current);
    map.fitBounds(current.getBounds());
  }
  let pending = null;
  function geometryOf(g) {
    if (!g) return null;
    if (g.type === "Feature") return geometryOf(g.geometry);
    if (g.type === "FeatureCollection") {
      const polys = [];
      for (const f of g.features) {
        const x = geometryOf(f);
        if (x && x.type === "Polygon") polys.push(x.coordinates);
        if (x && x.type === "MultiPolygon") polys.push(...x.coordinates);
      }
      return polys.length ? { type: "MultiPolygon", coordinates: polys } : null;
    }
    return g.type === "Polygon" || g.type === "MultiPolygon" ? g : null;
  }
  document.getElementById("jurisdiction-file").addEventListener("change", async ev => {
    const file = ev.target.files[0];
    preview.clearLayers(); save.disabled = true; pending = null;
    if (!file) return;
    try {
      pending = geometryOf(JSON.parse(await file.text()));
      if (!pending) throw new Error("no Polygon or MultiPolygon in this file");
      L.geoJSON(pending, { style: { color: "#e65100", weight: 2, dashArray: "6 4", fillOpacity: 0.1 } }).addTo(preview);
      map.fitBounds(preview.getBounds());
      status.textContent = "Preview shown in orange. Save to replace the current jurisdiction.";
      save.disabled = false;
    } catch (e) { status.textContent = "Cannot use this file: " + e.message; }
  });
  save.addEventListener("click", async () => {
    try {
      await CG.api(`/api/v1/agencies/${el.dataset.agency}/jurisdiction`, { method: "PUT", body: pending });
      current.clearLayers(); preview.eachLayer(l => l.setStyle({ color: "#2e7d32", dashArray: null }).addTo(current));
      preview.clearLayers(); save.disabled = true; status.textContent = "Jurisdiction saved.";
    } catch (e) { status.textContent = "Not saved: " + e.message; }
  });
  const failed = document.getElementById("failed");
  if (failed) {
    // The agency's failed deliveries, newest first, each with "Send again" (POST /deliveries/{id}/redeliver).
    const url = `/api/v1/agencies/${failed.dataset.agency}/deliveries?status=failed&limit=50`;
    const when = t => (t ? CG.day(t) + " " + CG.hm(t) : "");
    const load = async (said = "") => {
      try {
        const page = await CG.api(url);
        failed.innerHTML = (said ? `<p class="ok" role="status">${CG.esc(said)}</p>` : "") + (page.items.length
          ? `<div class="scroll" tabindex="0" role="region" aria-label="Failed alerts, scrolls sideways"><table class="grid" id="failed-deliveries">
              <thead><tr><th>to</th><th>channel</th><th>attempts</th><th>failing since</th><th>last error</th><th></th></tr></thead>
              <tbody>${page.items.map(d => `<tr data-delivery="${d.id}">
                <td>${CG.esc(d.to)}</td><td>${CG.esc(d.channel)}</td><td>${d.attempts}</td>
                <td>${CG.esc(when(d.failing_since || d.created_at))}</td><td>${CG.esc(d.last_error || "")}</td>
                <td><button type="button" data-redeliver="${d.id}">Send again</button></td></tr>`).join("")}</tbody></table></div>`
          : `<p class="hint">No failed alerts.</p>`);
      } catch (e) { failed.textContent = "Cannot list failed alerts: " + e.message; }
    };
    failed.addEventListener("click", async ev => {
      const id = ev.target && ev.target.dataset && ev.target.dataset.redeliver;
      if (!id) return;
      ev.target.disabled = true;
      try {
        await CG.api(`/api/v1/deliveries/${id}/redeliver`, { method: "POST" });
        await load("Sent again: it is tried at once, and leaves this list when the receiver takes it.");
      } catch (e) { ev.target.disabled = false; failed.insertAdjacentHTML("afterbegin", `<p class="error" role="alert">Not sent again: ${CG.esc(e.message)}</p>`); }
    });
    load();
  }
  const channels = document.getElementById("channels");
  if (channels) {
    // One line per channel: the target, then optionally the event kinds it wants (none: all).
    const url = `/api/v1/agencies/${channels.dataset.agency}/channels`;
    const lines = list => list.map(c => [c.url || c.address, ...(c.events || [])].join(" ")).join("\n");
    const parse = text => text.split("\n").map(l => l.trim()).filter(Boolean).map(l => l.split(/\s+/));
    const show = data => {
      channels.innerHTML = `
        <label>Webhooks (one URL per line, then event kinds; none means every kind)
          <textarea name="webhooks" rows="3">${CG.esc(lines(data.webhooks || []))}</textarea></label>
        <label>E-mail addresses (one per line, same form)
          <textarea name="emails" rows="3">${CG.esc(lines(data.emails || []))}</textarea></label>
        <p class="hint">Event kinds: conflict.created, conflict.updated, conflict.escalated, conflict.urgent,
          notice.created, notice.responded, lookup.nearby, verify.nearby, delivery.failing.</p>
        <button type="button" id="save-channels">Save channels</button> <span id="channels-status"></span>
        <div id="channel-secrets"></div>`;
      document.getElementById("save-channels").addEventListener("click", async () => {
        const body = {
          webhooks: parse(channels.querySelector("[name=webhooks]").value).map(([u, ...ev]) => ({ url: u, events: ev })),
          emails: parse(channels.querySelector("[name=emails]").value).map(([a, ...ev]) => ({ address: a, events: ev })),
        };
        const status = document.getElementById("channels-status");
        try {
          const saved = await CG.api(url, { method: "PUT", body });
          status.textContent = "Saved.";
          const fresh = (saved.webhooks || []).filter(h => h.secret);
          document.getElementById("channel-secrets").innerHTML = fresh.length
            ? `<p class="hint">Signing secrets, shown once; give each to its receiver:</p><ul>${fresh.map(h =>
                `<li><code>${CG.esc(h.url)}</code>: <code>${CG.esc(h.secret)}</code></li>`).join("")}</ul>` : "";
        } catch (e) { status.textContent = "Not saved: " + e.message; }
      });
    };
    CG.api(url).then(show).catch(e => { channels.textContent = e.message; });
  }
})();
