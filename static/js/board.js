// The backlog board: drag a card to another column to move the requirement (refusals snap it back).
(() => {
  "use strict";
  const configNode = document.getElementById("board-config");
  if (!configNode) return;
  const config = JSON.parse(configNode.textContent);
  const csrf = config.csrf;
  const alertBox = document.getElementById("board-alert");
  const needsReason = {rejected: config.askReject, deferred: config.askDefer};
  function recount() {
    document.querySelectorAll(".board-column").forEach(col => {
      col.querySelector(".column-count").textContent = col.querySelectorAll(".board-card").length;
    });
  }
  function snapBack(evt, message) {
    const ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
    recount();
    alertBox.textContent = message;
    alertBox.classList.remove("d-none");
  }
  document.querySelectorAll(".board-cards").forEach(list => {
    Sortable.create(list, {
      group: "board", animation: 120, forceFallback: true, fallbackTolerance: 3,
      onEnd: async evt => {
        if (evt.from === evt.to) return;
        const target = evt.to.dataset.status;
        let reason = "";
        if (needsReason[target]) {
          reason = window.prompt(needsReason[target]) || "";
          if (!reason.trim()) { snapBack(evt, config.reasonRequired); return; }
        }
        const body = new URLSearchParams({status: target, reason: reason});
        try {
          const response = await fetch(`${config.detailPrefix}${evt.item.dataset.id}/transition/`, {
            method: "POST", body: body,
            headers: {"X-CSRFToken": csrf, "Accept": "application/json"},
          });
          const data = await response.json();
          if (!response.ok) { snapBack(evt, BankPM.errorText(data)); return; }
          alertBox.classList.add("d-none");
          evt.item.classList.add("moved");
          recount();
        } catch (error) {
          snapBack(evt, config.networkError);
        }
      },
    });
  });
})();
