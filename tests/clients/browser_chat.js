#!/usr/bin/env node
// browser_chat.js HTTP_URL SCREENSHOT_PATH: the demo page in a real browser.
//
// Drives the system chromium through playwright-core: two tabs load the page
// chatd serves on GET /, join one room under two names, and each sends a
// message (one with Enter, one with the Send button) that the other must see
// in #messages. A message holding <b>html</b> must show as literal text,
// never as markup. Then both go to stranger mode and get paired, and Next
// leaves the other with "stranger left". In between, alice's connection is
// dropped under her: the page reconnects by itself, rejoins with "since", and
// shows what bob said meanwhile after what she had, with "nothing was
// missed". Saves a screenshot of the first tab. Exits 0 on success, 1 with
// the reason on failure, all within TOTAL_MS.
//
// Left out: a server restart under the test (recovered:false).
//
// browser_chat.js peer URL ROOM NAME PEERS: one member of a room shared with
// clients of other kinds (see peer below). An https:// URL's certificate is
// not checked (the proxy tests make a self-signed one).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

const TOTAL_MS = 55000;
const STEP_MS = 8000;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

function check(condition, what) {
  if (!condition) throw new Error(what);
}

async function openAndJoin(context, url, name, room, problems) {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on("pageerror", (error) => problems.push(`${name}: page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${name}: console error: ${message.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('#status[data-state="connected"]');
  await page.fill("#name", name);
  await page.fill("#room", room);
  await page.click("#join");
  await page.locator("#place").filter({ hasText: `Room ${room} as ${name}` }).waitFor();
  return page;
}

// Waits until page's message list has a line from sender whose text is exactly text.
async function waitForLine(page, sender, text) {
  await page.locator(`#messages li[data-from="${sender}"] .text`).filter({ hasText: text }).first().waitFor();
  const texts = await page.locator(`#messages li[data-from="${sender}"] .text`).allTextContents();
  check(texts.includes(text), `expected a line "${text}" from ${sender}, have ${JSON.stringify(texts)}`);
}

// Headless Chromium with a fresh profile in profile. For an https:// url the
// certificate errors of a test's self-signed certificate are ignored.
function launch(profile, url) {
  const https = url.startsWith("https:");
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20000,
    viewport: { width: 900, height: 600 },
    ignoreHTTPSErrors: https,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"]
      .concat(https ? ["--ignore-certificate-errors"] : []),
  });
}

async function run(url, screenshotPath) {
  const room = `web-${process.pid % 10000}-${Date.now() % 100000}`;
  const problems = [];
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "chatd-chromium-"));
  let context;
  try {
    context = await launch(profile, url);
    const alice = await openAndJoin(context, url, "alice", room, problems);
    const bob = await openAndJoin(context, url, "bob", room, problems);
    await alice.locator("#members li").filter({ hasText: "bob" }).waitFor();
    check(await alice.locator("#members li").count() === 2, "alice's member list should hold two names");

    await alice.fill("#text", "hello from alice");
    await alice.press("#text", "Enter");
    const markup = "see <b>html</b> & <img src=x onerror=alert(1)>";
    await bob.fill("#text", markup);
    await bob.click("#send");
    check(await bob.inputValue("#text") === "", "the input should be cleared after sending");

    await waitForLine(bob, "alice", "hello from alice");
    await waitForLine(alice, "bob", markup);
    await waitForLine(alice, "alice", "hello from alice");
    for (const page of [alice, bob]) {
      check(await page.locator("#messages b, #messages img").count() === 0,
        "user text was parsed as HTML instead of shown as text");
    }

    fs.mkdirSync(path.dirname(path.resolve(screenshotPath)), { recursive: true });
    await alice.screenshot({ path: screenshotPath });

    // Reconnect: the socket closes under alice (as on a network blip); bob
    // talks meanwhile; the page comes back, rejoins with since, and recovers.
    await alice.evaluate(() => socket.close());
    await alice.waitForSelector('#status[data-state="reconnecting"]');
    await bob.fill("#text", "said while alice was away");
    await bob.press("#text", "Enter");
    await waitForLine(bob, "bob", "said while alice was away");
    await alice.waitForSelector('#status[data-state="connected"]');
    await alice.locator("#messages li.notice").filter({ hasText: "nothing was missed" }).waitFor();
    await waitForLine(alice, "bob", "said while alice was away");
    const lines = await alice.locator("#messages li .text").allTextContents();
    check(lines.indexOf("hello from alice") >= 0 && lines.indexOf("hello from alice") < lines.indexOf("said while alice was away"),
      "after the reconnect the earlier lines stay, and the missed one follows them: " + JSON.stringify(lines));
    check(lines.filter((line) => line === "hello from alice").length === 1, "no line is shown twice after recovering");

    // Stranger mode: alice waits, bob arrives, both are paired; bob's Next leaves alice alone.
    await alice.click("#stranger");
    await alice.waitForSelector('#stranger-status[data-state="waiting"]');
    await bob.click("#stranger");
    for (const page of [alice, bob]) await page.waitForSelector('#stranger-status[data-state="paired"]');
    await alice.fill("#text", "hi stranger");
    await alice.press("#text", "Enter");
    await waitForLine(bob, "stranger", "hi stranger");
    await waitForLine(alice, "you", "hi stranger");
    await bob.click("#next");
    await alice.waitForSelector('#stranger-status[data-state="left"]');

    check(problems.length === 0, problems.join("\n"));
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// One member of a room that clients of other kinds share (the proxy tests):
// the demo page joins room as name, waits until every name in peers (its own
// too) is in the member list, sends "hello from NAME" and waits for every
// peer's hello in #messages; then prints the room's messages in the order the
// page shows them ("order: seq:from:text|..."), which every peer must print
// alike.
async function peer(url, room, name, peers) {
  const problems = [];
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "chatd-chromium-"));
  let context;
  try {
    context = await launch(profile, url);
    const page = await openAndJoin(context, url, name, room, problems);
    await page.waitForFunction((names) => {
      const listed = [...document.querySelectorAll("#members li")].map((li) => li.textContent.replace(/ \(you\)$/, ""));
      return names.every((n) => listed.includes(n));
    }, peers, { timeout: 30000 });  // the other clients may start slower
    await page.fill("#text", `hello from ${name}`);
    await page.press("#text", "Enter");
    for (const sender of peers) await waitForLine(page, sender, `hello from ${sender}`);
    const order = await page.locator("#messages li[data-seq]").evaluateAll((items) =>
      items.map((li) => `${li.dataset.seq}:${li.dataset.from}:${li.querySelector(".text").textContent}`));
    check(order.length === peers.length, `expected ${peers.length} messages, the page shows ${JSON.stringify(order)}`);
    console.log(`order: ${order.join("|")}`);
    check(problems.length === 0, problems.join("\n"));
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function main() {
  const isPeer = process.argv[2] === "peer";
  const [url, screenshotPath] = process.argv.slice(2);
  const [peerUrl, room, name, peers] = process.argv.slice(3);
  if (isPeer ? !peers : !url || !screenshotPath) {
    console.error("usage: node browser_chat.js http://HOST:PORT/ SCREENSHOT.png\n" +
                  "       node browser_chat.js peer URL ROOM NAME PEERS");
    process.exit(2);
  }
  const deadline = setTimeout(() => {
    console.error(`browser_chat: FAIL: did not finish within ${TOTAL_MS} ms`);
    process.exit(1);
  }, TOTAL_MS);
  try {
    if (isPeer) {
      await peer(peerUrl, room, name, peers.split(","));
      console.log("browser_chat: ok");
    } else {
      await run(url, screenshotPath);
      console.log(`browser_chat: ok (screenshot ${screenshotPath})`);
    }
  } catch (error) {
    console.error(`browser_chat: FAIL: ${error.message}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
  }
}

main();
