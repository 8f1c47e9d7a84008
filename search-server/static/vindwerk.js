// Autocomplete of titles and places through /api/suggest. The page works without it.
(function () {
  "use strict";
  function attach(inputId, listId, kind) {
    var input = document.getElementById(inputId);
    var list = document.getElementById(listId);
    if (!input || !list || !window.fetch) { return; }
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = input.value;
      if (typed.length < 2) { return; }
      timer = setTimeout(function () {
        fetch("/api/suggest?limit=8&q=" + encodeURIComponent(typed))
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (body) {
            if (!body) { return; }
            while (list.firstChild) { list.removeChild(list.firstChild); }
            body[kind].forEach(function (value) {
              var option = document.createElement("option");
              option.value = value;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }
  attach("q", "suggesties", "titles");
  attach("near", "plaatsen", "places");
})();

// A pluim without a page load: a form marked data-fragment is sent in the background and the
// part of the page it names is replaced by the server's answer. Without script the form posts
// and the server sends the page back at the same place.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !window.URLSearchParams) { return; }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var target = form.getAttribute && form.getAttribute("data-fragment");
    if (!target) { return; }
    var part = document.getElementById(target);
    if (!part) { return; }
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Vindwerk-Fragment": "1" },
      body: new URLSearchParams(new FormData(form))
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#" + target);
        if (fresh) { part.replaceWith(fresh); }
      })
      .catch(function () { form.submit(); });
  });
})();
