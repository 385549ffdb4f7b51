/* Agency admin: jurisdiction upload with a map preview, and channels when the API exists. */
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
  const channels = document.getElementById("channels");
  if (channels) {
    CG.api(`/api/v1/agencies/${channels.dataset.agency}/channels`).then(data => {
      const items = data.items || data;
      channels.innerHTML = items.length ? `<ul>${items.map(c => `<li>${CG.esc(c.kind || c.type)}: ${CG.esc(c.target || c.url || c.address || "")}</li>`).join("")}</ul>`
                                        : "<p class=hint>No channels yet.</p>";
    }).catch(e => { channels.textContent = e.message; });
  }
})();
