// Upload page, enhanced: files dropped or chosen are sent one request each, so every file
// shows its own progress and outcome; a scan's row then follows its recognition (OCR) in
// the background until it is done. Without JavaScript the form posts them all at once.
"use strict";
(function () {
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const table = document.getElementById("upload-results");
  if (!form || !input || !zone || !table || !window.FormData) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const maxBytes = Number(form.dataset.maxBytes);
  const body = table.tBodies[0];
  const POLL_MS = 2000;
  const POLL_FOR_MS = 30 * 60 * 1000;  // Tesseract may be missing: stop asking at some point

  function row(file) {
    const tr = body.insertRow();
    tr.insertCell().textContent = file.name;
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", "Tiến độ tải " + file.name);
    tr.insertCell().appendChild(progress);
    const outcome = tr.insertCell();
    outcome.textContent = "đang chờ…";
    return { tr, progress, outcome };
  }

  // The outcome cell: the server's message (it names the outcome once), then the letter.
  function describe(cell, message, url) {
    cell.textContent = "";
    const text = document.createElement("span");
    text.className = "message";
    text.textContent = message;
    cell.appendChild(text);
    if (url) {
      const link = document.createElement("a");
      link.href = url;
      link.textContent = "xem văn bản";
      cell.append(" · ", link);
    }
  }

  // A scan waiting for OCR: ask how it stands until it is recognised.
  function follow(tr, statusUrl) {
    const cell = tr.cells[2];
    const started = Date.now();
    function again() {
      if (Date.now() - started < POLL_FOR_MS) setTimeout(ask, POLL_MS);
    }
    function ask() {
      fetch(statusUrl, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { again(); return; }
          describe(cell, state.message, state.url);
          if (state.status === "needs_ocr") again();
          else tr.className = "outcome-recognised";
        })
        .catch(again);
    }
    again();
  }

  function show(cells, result) {
    cells.tr.className = "outcome-" + result.outcome;
    cells.progress.value = 100;
    describe(cells.outcome, result.message, result.url);
    if (result.outcome === "needs_ocr" && result.document_id) {
      follow(cells.tr, "/api/documents/" + result.document_id + "/status");
    }
  }

  function send(file) {
    const cells = row(file);
    if (maxBytes && file.size > maxBytes) {  // refused before a byte is sent
      const size = (file.size / 1024 / 1024).toFixed(0) + " MB";
      show(cells, { outcome: "failed", message: "lỗi: tệp quá lớn (" + size + "; tối đa " + form.dataset.maxText + ")" });
      return Promise.resolve();
    }
    return new Promise(function (resolve) {
      const request = new XMLHttpRequest();
      request.open("POST", "/api/upload");
      request.setRequestHeader("X-CSRFToken", token);
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) cells.progress.value = Math.round((event.loaded / event.total) * 95);
        cells.outcome.textContent = "đang tải…";
      };
      request.onload = function () {
        let answer = null;
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
        if (answer && answer.files && answer.files.length) show(cells, answer.files[0]);
        else show(cells, { outcome: "failed", message: "lỗi: " + ((answer && answer.error) || "máy chủ không nhận tệp (mã " + request.status + ")") });
        resolve();
      };
      request.onerror = function () {
        show(cells, { outcome: "failed", message: "lỗi: mất kết nối tới máy chủ" });
        resolve();
      };
      const data = new FormData();
      data.append("files", file, file.name);
      request.send(data);
    });
  }

  async function sendAll(files) {
    table.hidden = false;
    for (const file of files) await send(file);  // one at a time: the server OCRs in turn
    input.value = "";
  }

  // Rows the server wrote (the form posted without this script) follow their scans too.
  body.querySelectorAll("tr[data-status]").forEach(function (tr) {
    const hint = tr.querySelector(".ocr-hint");
    if (hint) hint.remove();
    follow(tr, tr.dataset.status);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (input.files.length) sendAll(Array.from(input.files));
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) sendAll(Array.from(event.dataTransfer.files));
  });
})();
