// The door's camera: the scan button starts the phone's back camera, each
// frame is read for a QR code (jsQR), and the first ticket code found is
// put in the code box and sent. Typing the code works without any of it
// (no camera, no permission, a page not served over HTTPS).
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root) return;
  var form = document.getElementById("door-form");
  var input = document.getElementById("f-ticket");
  var start = document.getElementById("scan");
  var video = document.getElementById("camera");
  var note = document.getElementById("scan-note");
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  function say(key) { if (note) { note.textContent = root.dataset[key] || ""; note.hidden = false; } }
  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
  }
  function frame() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR && window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        stop();
        input.value = code.data;
        form.requestSubmit();
        return;
      }
    }
    requestAnimationFrame(frame);
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    start.disabled = true;
    say("nocamera");
    return;
  }
  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      video.setAttribute("playsinline", "");
      video.play();
      say("scanning");
      requestAnimationFrame(frame);
    }).catch(function () { say("denied"); });
  });
  window.addEventListener("pagehide", stop);
})();
