// Upload page, enhanced: files dropped or chosen are sent one request each, so every file
// shows its own progress and outcome. Without JavaScript the form posts them all at once.
"use strict";
(function () {
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const table = document.getElementById("upload-results");
  if (!form || !input || !zone || !table || !window.FormData) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const labels = { archived: "đã lưu trữ", needs_ocr: "cần OCR", duplicate: "đã có trong kho", failed: "lỗi" };
  const body = table.tBodies[0];

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

  function show(cells, result) {
    cells.tr.className = "outcome-" + result.outcome;
    cells.progress.value = 100;
    cells.outcome.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = labels[result.outcome] || result.outcome;
    cells.outcome.append(strong, ": " + result.message);
    if (result.url) {
      const link = document.createElement("a");
      link.href = result.url;
      link.textContent = "xem";
      cells.outcome.append(" · ", link);
    }
  }

  function send(file) {
    const cells = row(file);
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
        else show(cells, { outcome: "failed", message: (answer && answer.error) || "máy chủ trả lời " + request.status });
        resolve();
      };
      request.onerror = function () {
        show(cells, { outcome: "failed", message: "mất kết nối tới máy chủ" });
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
