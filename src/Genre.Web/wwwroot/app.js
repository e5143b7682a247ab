"use strict";
const $ = (id) => document.getElementById(id);
const pct = (p) => (p * 100).toFixed(1) + "%";

fetch("/api/model").then((r) => r.json()).then((m) => {
  $("model").textContent = `model: ${m.architecture}, ${m.genres.length} genres (${m.genres.join(", ")})`;
}).catch(() => { $("model").textContent = "model: unavailable"; });

function show(result) {
  $("genre").textContent = result.genre;
  $("probability").textContent = pct(result.probability);
  $("details").textContent = `${result.file}: ${result.chunks} chunks, ${result.seconds.toFixed(1)} s` +
    (result.vote_genre !== result.genre ? ` (majority of chunks: ${result.vote_genre})` : "");
  const trust = $("trust");
  trust.hidden = result.verdict === undefined;
  if (result.verdict !== undefined) {
    trust.className = result.verdict;
    trust.textContent = `${result.verdict}: ${pct(result.agreement)} of the chunks agree, ` +
      `spread of ${result.genre}'s probability over chunks ${result.spread.toFixed(2)}`;
  }
  const chart = $("chart");
  chart.replaceChildren();
  Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]).forEach(([genre, p]) => {
    const row = document.createElement("div");
    row.className = "bar" + (genre === result.genre ? " top" : "");
    row.dataset.genre = genre;
    const label = document.createElement("span"); label.textContent = genre;
    const track = document.createElement("span");
    const fill = document.createElement("span"); fill.className = "fill"; fill.style.width = pct(p); fill.style.display = "block";
    track.appendChild(fill);
    const value = document.createElement("span"); value.textContent = pct(p);
    row.append(label, track, value);
    chart.appendChild(row);
  });
  $("spectrogram").src = result.spectrogram;
  $("explanation").src = result.explanation || "";
  $("explanation").hidden = !result.explanation || !$("show-why").checked;
  const timeline = $("timeline");
  timeline.replaceChildren();
  result.timeline.forEach((c) => {
    const li = document.createElement("li");
    li.textContent = `${c.start.toFixed(0).padStart(4)}-${c.end.toFixed(0).padStart(4)} s  ${c.genre} ${pct(c.probability)}`;
    timeline.appendChild(li);
  });
  $("result").hidden = false;
}

async function upload(file) {
  const status = $("status");
  status.className = "";
  status.textContent = `classifying ${file.name}…`;
  const body = new FormData();
  body.append("file", file, file.name);
  try {
    const response = await fetch("/api/predict", { method: "POST", body });
    const json = await response.json();
    if (!response.ok) throw new Error(json.error || response.statusText);
    status.textContent = "";
    show(json);
  } catch (e) {
    status.className = "error";
    status.textContent = String(e.message || e);
  }
}

$("show-why").addEventListener("change", (e) => { $("explanation").hidden = !e.target.checked || !$("explanation").src; });

const drop = $("drop");
$("file").addEventListener("change", (e) => { if (e.target.files.length) upload(e.target.files[0]); });
["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
drop.addEventListener("drop", (e) => { if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]); });
