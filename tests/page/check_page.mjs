// The chat page in a real headless Chromium (Debian's), driven by playwright-core:
//   node check_page.mjs BASE_URL SCREENSHOT.png
// Types a question, sends it, and checks that the thinking box fills while the reply streams,
// the answer appears after it, and the box then folds to "Thought for N tokens". Saves a
// screenshot of the finished reply with the box opened again.
import { createRequire } from "node:module";
const require = createRequire(process.env.PLAYWRIGHT_DIR + "/");
const { chromium } = require("playwright-core");

const [base, shot] = process.argv.slice(2);
const fail = (msg) => { console.error("FAIL " + msg); process.exit(1); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  await page.goto(base + "/");
  await page.waitForFunction(() => document.getElementById("model").textContent !== "…");
  // Sample what the page shows while the reply streams, every animation frame.
  await page.evaluate(() => {
    window.__seen = [];
    const look = () => {
      const pre = document.querySelector("details.thinking pre");
      const ans = document.querySelector(".answer");
      if (pre) window.__seen.push([pre.textContent.length, ans ? ans.textContent.length : 0]);
      if (document.body.dataset.state !== "done") requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  // A slow link (about 4 KB/s), so the reply streams over many frames as it would from a big model.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: 4000, uploadThroughput: -1 });
  await page.fill("#q", "123*456");
  await page.selectOption("#effort", "low");
  await page.click("#send");
  await page.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: 30000 });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const r = await page.evaluate(() => ({
    timeline: document.body.dataset.timeline,
    reasoning: document.querySelector("details.thinking pre").textContent,
    answer: document.querySelector(".answer").textContent,
    summary: document.querySelector("details.thinking summary").textContent,
    open: document.querySelector("details.thinking").open,
    seen: window.__seen,
  }));
  const firstContent = r.timeline.indexOf("c");
  if (!(r.timeline.indexOf("r") === 0 && firstContent > 0 && !r.timeline.slice(firstContent).includes("r")))
    fail("reasoning deltas must all come before the answer's: " + r.timeline);
  if (r.answer !== "56088") fail("answer " + JSON.stringify(r.answer));
  if (r.reasoning.includes("think>") || r.answer.includes("think>")) fail("tags shown");
  if (!/^Thought for \d+ tokens$/.test(r.summary) || r.summary === "Thought for 0 tokens") fail("summary " + r.summary);
  if (r.open) fail("the box should fold when the reply is done");
  // Seen mid-stream: the box partly filled with no answer yet.
  const partial = r.seen.filter(([p, a]) => p > 0 && p < r.reasoning.length && a === 0);
  console.log(`ok   ${r.seen.length} frames sampled, ${partial.length} with the box partly filled and no answer yet`);
  if (partial.length === 0) fail("never saw the box filling before the answer: " + JSON.stringify(r.seen.slice(0, 20)));
  await page.evaluate(() => { document.querySelector("details.thinking").open = true; });
  if (shot) await page.screenshot({ path: shot });
  // A second turn, thinking off: no box. (The default model was trained to think: its
  // thinking-off answers are poor, and the lines it writes anyway show as the content.)
  await page.selectOption("#effort", "none");
  await page.fill("#q", "12*34");
  await page.click("#send");
  await page.waitForFunction(() => document.querySelectorAll(".turn.assistant").length === 2 && document.body.dataset.state === "done");
  const hidden = await page.evaluate(() => getComputedStyle(document.querySelectorAll("details.thinking")[1]).display);
  if (hidden !== "none") fail("thinking off should show no box, got display " + hidden);
  console.log("ok   " + r.summary + ", answer " + r.answer);
  console.log("page checks passed");
} finally {
  await browser.close();
}
