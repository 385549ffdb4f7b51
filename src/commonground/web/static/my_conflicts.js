/* An officer's or supervisor's own conflicts: who the other team is, what they look like, acknowledge, resolve. */
"use strict";
(() => {
  const list = document.getElementById("my-conflicts"), none = document.getElementById("no-conflicts");
  const mayResolve = list.dataset.resolve === "yes";

  function card(c) {
    const o = c.counterpart || c.counterpart_case || {}, acks = c.acknowledged || {};  // an operation, or a case target
    const mine = acks.yours
      ? `<span class="ok">you acknowledged ${CG.hm(acks.yours.at)}</span>`
      : `<button type="button" class="primary" data-ack="${CG.esc(c.id)}" data-op="${CG.esc(c.your_operation_id || c.your_target_id)}">Acknowledge</button>`;
    const theirs = acks.theirs ? `<span class="ok">they acknowledged ${CG.hm(acks.theirs.at)}</span>` : `<span class="muted">not yet acknowledged by them</span>`;
    return `<li class="card conflict ${CG.esc(c.status)}" data-id="${CG.esc(c.id)}">
      <div class="head"><strong>${CG.esc(o.agency ? o.agency.name : "Another agency")}</strong> · ${Cards.apart(c)} · ${CG.span(c.overlap)}
        <span class="badge">${CG.esc(CG.label(c.status))}</span></div>
      <div>${CG.contact(o.contact)}</div>
      <div class="looks">Their team: ${Cards.looks(o)}</div>
      <div class="row">${c.status === "open" ? mine : ""} ${theirs}</div>
      ${Cards.owner(c)}${mayResolve ? Cards.resolveForm(c) : ""}</li>`;
  }
  async function refresh() {
    try {
      const pages = await Promise.all(["open", "acknowledged"].map(s => CG.api(`/api/v1/conflicts?status=${s}&limit=100`)));
      const items = pages.flatMap(p => p.items).sort(Cards.byUrgency(Date.now()));
      list.innerHTML = items.map(card).join("");
      none.hidden = items.length > 0;
    } catch (e) { list.innerHTML = `<li class="error">${CG.esc(e.message)}</li>`; }
  }
  Cards.actions(list, refresh);
  document.getElementById("op-form").addEventListener("cg:saved", refresh);
  refresh();
  if (window.EventSource) {
    const es = new EventSource("/api/v1/stream");
    for (const kind of ["conflict.created", "conflict.updated", "conflict.urgent"]) es.addEventListener(kind, refresh);
  }
})();
