/* OpsDesk page behaviour (no inline scripts: CSP). Progressive enhancement only; every page works
   without it.
   1. SLA countdown badges: elements `.sla[data-due]` (running 7×24 clocks) count down every second
      from the server's figures and change colour at 50 % / 80 % / breach. Working-hours clocks carry
      no data-due: they wait for the server's next figures (the queue refreshes itself every 30 s).
   2. The submit form shows the resource-adjustment fields only for that ticket kind.
   3. Navigation groups (below).
   4. Bulk selection on ticket lists.
   5. A button or link with data-confirm asks before an irreversible action.
   6. Grouped pickers: a select with data-filter-by="<field>" offers only the options whose data-group is
      among the values chosen in that field of the same form (hosts of the chosen business systems). */
(function () {
  "use strict";
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var T = english
    ? { left: "left ", over: "overdue ", d: " d ", h: " h ", m: " min" }
    : { left: "剩 ", over: "超时 ", d: " 天 ", h: " 小时 ", m: " 分" };

  function minutesText(total) {
    var days = Math.floor(total / 1440), hours = Math.floor((total % 1440) / 60), mins = total % 60;
    if (days) return days + T.d + hours + T.h.replace(/ $/, "");
    if (hours) return hours + T.h + mins + T.m;
    return mins + T.m;
  }

  function tick() {
    var badges = document.querySelectorAll(".sla[data-due]");
    var clientNow = Date.now();
    for (var i = 0; i < badges.length; i++) {
      var el = badges[i];
      if (el._skew === undefined) {
        // Server time minus browser time, so a wrong PC clock does not move the countdown.
        var serverNow = Date.parse(el.getAttribute("data-now"));
        el._skew = isNaN(serverNow) ? 0 : serverNow - clientNow;
      }
      var due = Date.parse(el.getAttribute("data-due"));
      var target = parseFloat(el.getAttribute("data-target"));
      if (isNaN(due) || !target) continue;
      var remainingMs = due - (clientNow + el._skew);
      var usedPct = 100 * (1 - remainingMs / (target * 60000));
      var cls = remainingMs < 0 ? "sla-breached" : usedPct >= 80 ? "sla-risk" : usedPct >= 50 ? "sla-warn" : "sla-ok";
      if (!el.classList.contains(cls)) {
        el.classList.remove("sla-ok", "sla-warn", "sla-risk", "sla-breached");
        el.classList.add(cls);
      }
      var text = el.querySelector(".sla-text");
      if (text) {
        var minutes = remainingMs < 0 ? Math.ceil(-remainingMs / 60000) : Math.floor(remainingMs / 60000);
        text.textContent = (remainingMs < 0 ? T.over : T.left) + minutesText(minutes);
      }
    }
  }

  function kindToggle() {
    var kind = document.getElementById("id_kind");
    var blocks = document.querySelectorAll("[data-show-when-kind]");
    if (!kind || !blocks.length) return;
    function apply() {
      for (var i = 0; i < blocks.length; i++) {
        var show = blocks[i].getAttribute("data-show-when-kind") === kind.value;
        // Never hide a block that holds an error message.
        blocks[i].hidden = !show && !blocks[i].querySelector(".errorlist");
      }
    }
    kind.addEventListener("change", apply);
    apply();
  }

  // 3. Navigation groups (<details>): opening one closes the others; a click elsewhere or Escape
  //    closes them. Without scripts each group still opens and closes on its own.
  function navGroups() {
    var groups = document.querySelectorAll("details[data-nav-group]");
    if (!groups.length) return;
    function closeAll(except) {
      for (var i = 0; i < groups.length; i++) if (groups[i] !== except) groups[i].open = false;
    }
    for (var i = 0; i < groups.length; i++) {
      groups[i].addEventListener("toggle", function (event) { if (event.target.open) closeAll(event.target); });
    }
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest("details[data-nav-group]")) closeAll(null);
    });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeAll(null); });
  }

  // 4. Bulk actions on a list or queue: "select all" ticks the page's rows, the form counts them and
  //    shows the input of the chosen action; while rows are ticked the queue does not refresh itself
  //    (the refresh would replace the ticked rows). Without scripts every input is shown and works.
  function bulkRows() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var action = form.querySelector("select[name=action]");
    var count = document.getElementById("bulk-count");
    function boxes() { return document.querySelectorAll("input[name=tickets][form=bulk-form]"); }
    function ticked() { return document.querySelectorAll("input[name=tickets][form=bulk-form]:checked").length; }
    function update() {
      var n = ticked();
      if (count) count.textContent = n ? count.getAttribute("data-some").replace("{n}", n) : count.getAttribute("data-none");
      var all = document.getElementById("bulk-all");
      if (all) { var total = boxes().length; all.checked = total > 0 && n === total; all.indeterminate = n > 0 && n < total; }
    }
    function showAction() {
      var parts = form.querySelectorAll("[data-bulk-for]");
      for (var i = 0; i < parts.length; i++) parts[i].hidden = parts[i].getAttribute("data-bulk-for") !== action.value;
    }
    document.addEventListener("change", function (event) {
      var el = event.target;
      if (el.id === "bulk-all") {
        var all = boxes();
        for (var i = 0; i < all.length; i++) all[i].checked = el.checked;
      }
      if (el.id === "bulk-all" || (el.name === "tickets" && el.getAttribute("form") === "bulk-form")) update();
    });
    if (action) { action.addEventListener("change", showAction); showAction(); }
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail && event.detail.elt && event.detail.elt.id === "ticket-table" && ticked()) event.preventDefault();
    });
    document.body.addEventListener("htmx:afterSwap", update);
    update();
  }

  function confirmations() {
    document.addEventListener("click", function (event) {
      var target = event.target.closest && event.target.closest("[data-confirm]");
      if (target && !window.confirm(target.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  function groupedPickers() {
    var pickers = document.querySelectorAll("select[data-filter-by]");
    for (var i = 0; i < pickers.length; i++) (function (picker) {
      var source = picker.form && picker.form.elements[picker.getAttribute("data-filter-by")];
      if (!source || !source.options) return;
      function chosen() {
        var values = {};
        for (var j = 0; j < source.options.length; j++) {
          if (source.options[j].selected && source.options[j].value) values[source.options[j].value] = true;
        }
        return values;
      }
      function apply(initial) {
        var groups = chosen(), any = Object.keys(groups).length > 0;
        for (var j = 0; j < picker.options.length; j++) {
          var option = picker.options[j], group = option.getAttribute("data-group");
          if (group === null) continue;
          var show = !any || groups[group] === true;
          // On load an option chosen earlier stays visible, so the page never hides what it submits.
          if (!show && option.selected && initial) show = true;
          if (!show) option.selected = false;
          option.hidden = !show;
          option.disabled = !show;
        }
      }
      source.addEventListener("change", function () { apply(false); });
      apply(true);
    })(pickers[i]);
  }

  document.addEventListener("DOMContentLoaded", function () {
    confirmations();
    groupedPickers();
    navGroups();
    bulkRows();
    kindToggle();
    tick();
    window.setInterval(tick, 1000);
  });
  document.body && document.body.addEventListener("htmx:afterSwap", tick);
})();
