/* Filter forms people can use (case queues, hotline orders): no inline script, everything from data attributes.
 *
 * - input[data-datepicker]: a calendar button beside the text box opens the browser's date picker; the picked day
 *   is written as 2026-12-02. Typing stays possible (the server also reads 2026/12/02 and 20261202).
 * - select[data-cascade=street|community|grid]: choosing a street hides the communities of other streets (codes nest
 *   by prefix) and clears a community outside it; choosing a community loads its unit grids from the grid select's
 *   data-url (JSON {grids: [{code, name}]}).
 * - select[data-class-picker]: a search box and a major-class select narrow the minor classes (the select's
 *   optgroups are the major classes), so a class is found by name, by code or by browsing.
 * window.filterFormState counts grid loads, for tests.
 */
(function () {
  "use strict";

  var state = (window.filterFormState = { gridLoads: 0 });

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  /* ---- dates ---- */
  document.querySelectorAll("input[data-datepicker]").forEach(function (input) {
    var wrap = el("span", { class: "datepicker" });
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var native = el("input", { type: "date", tabindex: "-1", "aria-hidden": "true", class: "datepicker-native" });
    var button = el("button", { type: "button", class: "datepicker-button",
      "aria-label": input.getAttribute("data-picker-label") || "📅", title: input.getAttribute("data-picker-label") || "" });
    button.textContent = "📅";
    wrap.appendChild(native);
    wrap.appendChild(button);
    button.addEventListener("click", function () {
      var typed = /^(\d{4})[-\/.]?(\d{1,2})[-\/.]?(\d{1,2})/.exec(input.value.trim());
      if (typed) native.value = typed[1] + "-" + ("0" + typed[2]).slice(-2) + "-" + ("0" + typed[3]).slice(-2);
      if (native.showPicker) { try { native.showPicker(); return; } catch (err) { /* not allowed: fall through */ } }
      native.focus();
    });
    native.addEventListener("change", function () {
      if (native.value) input.value = native.value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });

  /* ---- street → community → grid ---- */
  function cascade(form) {
    var street = form.querySelector('select[data-cascade="street"]');
    var community = form.querySelector('select[data-cascade="community"]');
    var grid = form.querySelector('select[data-cascade="grid"]');

    function narrowCommunities() {
      if (!street || !community) return;
      var prefix = street.value;
      Array.prototype.forEach.call(community.options, function (option) {
        option.hidden = Boolean(option.value && prefix && option.value.indexOf(prefix) !== 0);
      });
      if (community.value && prefix && community.value.indexOf(prefix) !== 0) {
        community.value = "";
        loadGrids();
      }
    }

    function loadGrids() {
      if (!grid || !community) return Promise.resolve();
      var keep = grid.value;
      var blank = grid.options.length ? grid.options[0].textContent : "";
      while (grid.options.length > 1) grid.remove(1);
      if (!community.value) { grid.value = ""; return Promise.resolve(); }
      var url = new URL(grid.getAttribute("data-url"), window.location.href);
      url.searchParams.set("community", community.value);
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { grids: [] }; })
        .then(function (body) {
          grid.options[0].textContent = blank;
          body.grids.forEach(function (g) {
            var option = el("option", { value: g.code });
            option.textContent = g.code + " " + g.name;
            grid.appendChild(option);
          });
          grid.value = body.grids.some(function (g) { return g.code === keep; }) ? keep : "";
          state.gridLoads += 1;
        });
    }

    if (street) street.addEventListener("change", narrowCommunities);
    if (community) community.addEventListener("change", function () {
      // A community names its street (codes nest): the street select follows the community chosen.
      if (street && community.value) street.value = community.value.slice(0, 9);
      narrowCommunities();
      loadGrids();
    });
    narrowCommunities();
  }

  /* ---- class picker ---- */
  function classPicker(select) {
    var groups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));
    var box = el("span", { class: "class-picker" });
    var search = el("input", { type: "search", class: "class-search", autocomplete: "off",
      placeholder: select.getAttribute("data-search-label") || "…", "aria-label": select.getAttribute("data-search-label") || "" });
    var major = el("select", { class: "class-major", "aria-label": select.getAttribute("data-major-label") || "" });
    var all = el("option", { value: "" });
    all.textContent = select.getAttribute("data-major-label") || "—";
    major.appendChild(all);
    groups.forEach(function (group, index) {
      var option = el("option", { value: String(index) });
      option.textContent = group.label;
      major.appendChild(option);
    });
    select.parentNode.insertBefore(box, select);
    box.appendChild(search);
    box.appendChild(major);
    box.appendChild(select);

    function narrow() {
      var text = search.value.trim().toLowerCase();
      var chosen = major.value;
      var first = null;
      groups.forEach(function (group, index) {
        var groupVisible = false;
        var inMajor = chosen === "" || chosen === String(index);
        Array.prototype.forEach.call(group.children, function (option) {
          var show = inMajor && (!text || option.textContent.toLowerCase().indexOf(text) !== -1);
          option.hidden = !show;
          if (show) { groupVisible = true; if (!first) first = option; }
        });
        group.hidden = !groupVisible;
      });
      var current = select.selectedOptions[0];
      if (text && first && (!current || current.hidden || !current.value)) select.value = first.value;
    }
    search.addEventListener("input", narrow);
    major.addEventListener("change", narrow);
    var current = select.selectedOptions[0];
    if (current && current.parentNode.tagName === "OPTGROUP") major.value = String(groups.indexOf(current.parentNode));
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("select[data-cascade]")) cascade(form);
  });
  document.querySelectorAll("select[data-class-picker]").forEach(classPicker);
})();
