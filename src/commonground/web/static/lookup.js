/* Dispatcher look-up: who is operating near this place now, and whom to call. */
"use strict";
(() => {
  const form = document.getElementById("lookup-form"), result = document.getElementById("result");
  const teams = document.getElementById("teams");
  const map = CG.map("map");
  const layer = L.featureGroup().addTo(map);
  // A click only moves the point: a look-up alerts teams and is audited, so it runs on the button alone
  // (a double-click zoom is two clicks, and the caller's typed coordinates must not be lost to a pan).
  let pin = null;
  function setPin() {
    const lat = parseFloat(form.lat.value), lon = parseFloat(form.lon.value);
    if (Number.isNaN(lat) || Number.isNaN(lon)) return;
    pin = pin || L.circleMarker([lat, lon], { radius: 7, color: "#1f6feb", weight: 3 }).addTo(map);
    pin.setLatLng([lat, lon]);
  }
  map.on("click", ev => {
    form.lat.value = ev.latlng.lat.toFixed(5); form.lon.value = ev.latlng.lng.toFixed(5);
    setPin();
  });
  for (const f of ["lat", "lon"]) form[f].addEventListener("input", setPin);
  map.on("cg:located", ev => { form.lat.value = ev.latlng.lat.toFixed(5); form.lon.value = ev.latlng.lng.toFixed(5); setPin(); });
  if (form.address) {
    CG.addressFinder(form.address, document.getElementById("find-address"), document.getElementById("found"), (lat, lon) => {
      form.lat.value = lat.toFixed(5); form.lon.value = lon.toFixed(5); setPin(); map.setView([lat, lon], 15);
    });
  }
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const lat = parseFloat(form.lat.value), lon = parseFloat(form.lon.value), r = parseFloat(form.radius_m.value) || 1000;
    layer.clearLayers();
    try {
      const data = await CG.api(`/api/v1/lookup?lat=${lat}&lon=${lon}&radius_m=${r}`);
      const ops = data.operations || [], unchecked = (data.federation || {}).unchecked || [];
      // A peer installation that did not answer is never read as "no one there".
      const clear = unchecked.length ? `<p class="alert">No one found here within ${CG.metres(r)}, but not every installation could be checked.</p>`
                                     : `<p class="ok">No one else is operating within ${CG.metres(r)} now.</p>`;
      const missing = unchecked.length ? `<p class="error" id="unchecked"><strong>Could not check ${unchecked.map(CG.esc).join(", ")}:</strong> their operations here are unknown. Call them before sending units.</p>` : "";
      result.innerHTML = (ops.length ? `<p class="alert"><strong>${ops.length} team${ops.length > 1 ? "s" : ""} operating within ${CG.metres(r)}.</strong> Warn responding units.</p>`
                                     : clear) + missing;
      const whose = o => o.installation ? ` <span class="muted">(installation ${CG.esc(o.installation.name)})</span>` : "";
      teams.innerHTML = ops.map(o => `<li class="card"><strong>${CG.esc(o.agency.name)}</strong>${whose(o)} — ${CG.metres(o.distance_m)} away
        <div>${CG.team(o.team) || "team not described"}</div><div>${CG.contact(o.contact)}</div>
        <div class="muted">${CG.span(o.window)}</div></li>`).join("");
      L.circle([lat, lon], { radius: r, color: "#1f6feb", weight: 1, fillOpacity: 0.05 }).addTo(layer);
      L.circleMarker([lat, lon], { radius: 6, color: "#1f6feb" }).addTo(layer);
      for (const o of ops) {
        const l = CG.areaLayer(o.area, { color: "#c0392b", fillOpacity: 0.3 });
        if (l) l.bindPopup(`${CG.esc(o.agency.name)}<br>${CG.contact(o.contact)}`).addTo(layer);
      }
      map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 13 });
    } catch (e) { result.innerHTML = `<p class="error">${CG.esc(e.message)}</p>`; teams.innerHTML = ""; }
  });
})();
