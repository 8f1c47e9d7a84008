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
