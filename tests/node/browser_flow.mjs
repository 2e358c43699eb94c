// A user's visit in headless Chromium (Debian's), driven by playwright-core:
// register, log out, log in, add a task, complete it, screenshot the task page.
//
// Usage: node browser_flow.mjs '<json>' with keys chromium, nginx (host:port),
// host, email, password, task, screenshot. The Ingress host is mapped to
// nginx's address by Chromium's resolver rules, so the page and its API calls
// (the build's NEXT_PUBLIC_API_URL, http://todo.local) both go through nginx.
// Prints one JSON line: the API requests the page made and their statuses.
import { chromium } from "playwright-core";

const options = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = 15000;

const browser = await chromium.launch({
  executablePath: options.chromium,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--host-resolver-rules=MAP ${options.host} ${options.nginx}`,
  ],
});

const api = [];
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("response", (response) => {
    const request = response.request();
    if (new URL(request.url()).pathname.startsWith("/api/")) {
      api.push({ method: request.method(), url: request.url(), status: response.status() });
    }
  });
  page.on("requestfailed", (request) => problems.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

  const submit = page.locator("form button[type=submit]").first();
  const credentials = async () => {
    await page.getByPlaceholder("Email").fill(options.email);
    await page.getByPlaceholder(/^Password/).fill(options.password);
  };

  await page.goto(`http://${options.host}/`);
  await page.getByRole("heading", { name: "Log in" }).waitFor();

  // Register (which signs the user in), then log out and log in again.
  await page.getByRole("button", { name: "Register" }).click();
  await page.getByRole("heading", { name: "Create an account" }).waitFor();
  await credentials();
  await submit.click();
  await page.getByText(`Signed in as ${options.email}`).waitFor();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Log in" }).waitFor();
  await credentials();
  await submit.click();
  await page.getByText(`Signed in as ${options.email}`).waitFor();

  // Add a task, then complete it.
  await page.getByPlaceholder("What needs doing?").fill(options.task);
  await page.getByRole("button", { name: "Add" }).click();
  const item = page.getByRole("listitem").filter({ hasText: options.task });
  await item.waitFor();
  // A controlled checkbox: it turns checked once the PATCH and the reload of the list are done.
  await page.getByRole("checkbox", { name: `Mark "${options.task}" as done` }).click();
  await item.locator(".title.done").waitFor();

  await page.screenshot({ path: options.screenshot, fullPage: true });
  console.log(JSON.stringify({ api, problems, completed: await item.locator(".title.done").count() }));
} catch (error) {
  console.error(`browser flow failed: ${error.stack}\nAPI calls: ${JSON.stringify(api)}\nproblems: ${JSON.stringify(problems)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
