// Live preview of the Markdown body while typing. The page works without
// it: the "Xem trước" button renders the same preview on the server.
(function () {
  var body = document.getElementById("body_md");
  var out = body && document.getElementById(body.getAttribute("data-preview"));
  var form = body && body.form;
  if (!out || !form || !window.fetch) return;
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var last = null;
  function render() {
    if (body.value === last) return;
    last = body.value;
    var data = new URLSearchParams();
    data.set("csrf_token", token);
    data.set("body_md", body.value);
    fetch("/admin/preview", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { out.innerHTML = html; })
      .catch(function () {});
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 400);
  });
})();
