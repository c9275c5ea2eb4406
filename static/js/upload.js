// Drag and drop onto the picker, a preview of the chosen photo, and no double submits.
(function () {
  const form = document.querySelector("[data-upload-form]");
  if (!form) return;
  const zone = form.querySelector("[data-dropzone]");
  const input = form.querySelector("[data-file]");
  const preview = form.querySelector("[data-preview]");
  const submit = form.querySelector("[data-submit]");

  function showPreview() {
    const file = input.files && input.files[0];
    if (!file || !file.type.startsWith("image/") || file.type === "image/heic") {
      preview.hidden = true;
      return;
    }
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  }

  input.addEventListener("change", showPreview);
  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    })
  );
  ["dragleave", "drop"].forEach((name) =>
    zone.addEventListener(name, () => zone.classList.remove("dragging"))
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showPreview();
    }
  });
  form.addEventListener("submit", () => {
    submit.disabled = true;
    submit.textContent = "Uploading…";
  });
})();
