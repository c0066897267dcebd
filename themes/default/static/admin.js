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

// Media upload: drag and drop onto the form, one request per file with a
// progress bar each (XMLHttpRequest upload events). Without this script
// the form posts every chosen file at once and the server lists a result
// per file.
(function () {
  var form = document.getElementById("media-upload");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("input[type=file]");
  var list = document.getElementById("upload-progress");
  var token = form.querySelector("input[name=csrf_token]").value;
  var labels = form.dataset;

  function row(file) {
    var li = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var note = document.createElement("span");
    note.className = "upload-note";
    li.appendChild(name);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(bar);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(note);
    list.appendChild(li);
    return { li: li, bar: bar, note: note };
  }

  function send(files, i, failed) {
    if (i >= files.length) {
      if (!failed) window.location.assign("/admin/media");
      return;
    }
    var file = files[i];
    var r = row(file);
    var data = new FormData();
    data.append("csrf_token", token);
    data.append("files", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/admin/media");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) r.bar.value = Math.round((e.loaded / e.total) * 90);
    });
    xhr.upload.addEventListener("load", function () {
      r.note.textContent = labels.processing || "";
    });
    xhr.addEventListener("load", function () {
      var ok = false;
      try {
        var res = JSON.parse(xhr.responseText).results[0];
        ok = res.ok;
        r.note.textContent = res.message;
      } catch (e) {
        r.note.textContent = xhr.status + " " + xhr.statusText;
      }
      r.bar.value = 100;
      r.li.className = ok ? "upload-ok" : "upload-refused";
      send(files, i + 1, failed || !ok);
    });
    xhr.addEventListener("error", function () {
      r.note.textContent = xhr.statusText || "!";
      r.li.className = "upload-refused";
      send(files, i + 1, true);
    });
    xhr.send(data);
  }

  function start(files) {
    if (!files || !files.length) return;
    list.textContent = "";
    send(Array.prototype.slice.call(files), 0, false);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    start(input.files);
  });
  ["dragenter", "dragover"].forEach(function (type) {
    form.addEventListener(type, function (e) {
      e.preventDefault();
      form.classList.add("dragging");
    });
  });
  form.addEventListener("dragleave", function () {
    form.classList.remove("dragging");
  });
  form.addEventListener("drop", function (e) {
    e.preventDefault();
    form.classList.remove("dragging");
    start(e.dataTransfer.files);
  });
})();

// "Chèn" buttons beside library images in the editor: put the image's
// Markdown at the cursor in the body.
(function () {
  var body = document.getElementById("body_md");
  var buttons = document.querySelectorAll("button.insert-image");
  if (!body || !buttons.length) return;
  Array.prototype.forEach.call(buttons, function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var md = "\n\n" + b.getAttribute("data-markdown") + "\n\n";
      var start = body.selectionStart || body.value.length;
      var end = body.selectionEnd || start;
      body.value = body.value.slice(0, start) + md + body.value.slice(end);
      body.selectionStart = body.selectionEnd = start + md.length;
      body.dispatchEvent(new Event("input"));
      body.focus();
    });
  });
})();
