/* Downloads of each chart of an officials' page, as drawn: "SVG" saves the chart itself
   (sharp at any size, editable), "PNG" a picture of it at twice its size on the screen,
   for slides and documents. The charts and their tables need no script: these buttons
   only appear when scripts run. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  function svgText(svg) {
    var copy = svg.cloneNode(true);
    var box = svg.viewBox.baseVal;
    copy.setAttribute("width", String(box.width));
    copy.setAttribute("height", String(box.height));
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
  }
  function savePng(svg, name) {
    var box = svg.viewBox.baseVal;
    var scale = 2;
    var picture = new Image();
    picture.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * scale;
      canvas.height = box.height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(picture, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { if (blob) { save(blob, name); } }, "image/png");
    };
    picture.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText(svg));
  }
  ready(function () {
    var body = document.body;
    var svgLabel = body.getAttribute("data-download-svg");
    var pngLabel = body.getAttribute("data-download-png");
    if (!svgLabel || !pngLabel) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".chart > svg"), function (svg) {
      var title = svg.querySelector("title");
      var name = (title && title.id ? title.id.replace(/-title$/, "") : "chart");
      var titleText = title ? title.textContent : "";
      var row = document.createElement("p");
      row.className = "chart-downloads no-print";
      [[svgLabel, "svg"], [pngLabel, "png"]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = pair[0];
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = ": " + titleText;
        button.appendChild(hidden);
        button.addEventListener("click", function () {
          if (pair[1] === "svg") {
            save(new Blob([svgText(svg)], { type: "image/svg+xml" }), name + ".svg");
          } else {
            savePng(svg, name + ".png");
          }
        });
        row.appendChild(button);
      });
      svg.parentNode.insertAdjacentElement("afterend", row);
    });
  });
}());
