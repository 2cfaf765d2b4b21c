// journey.mjs - the first citizen journey in a real browser (Debian's
// chromium driven by playwright-core): search without diacritics, open the
// procedure on a phone-sized screen, follow the short URL a QR code
// carries, open the commune's QR board, hit an unknown code. Screenshots go
// to OUT_DIR. Usage: node journey.mjs BASE_URL OUT_DIR. Prints one line per
// check and "e2e: N passed, M failed"; exits 1 when a check failed.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
	console.error('usage: node journey.mjs BASE_URL OUT_DIR');
	process.exit(2);
}

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
	if (ok) { passed++; console.log(`ok   ${name}`); }
	else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

const profile = mkdtempSync(join(tmpdir(), 'motcua-e2e-'));
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];
let ctx;
try {
	// A persistent context on a new empty profile: the --user-data-dir.
	ctx = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: flags,
		viewport: { width: 390, height: 844 },	// a common phone
		deviceScaleFactor: 2,
		locale: 'vi-VN',
		javaScriptEnabled: false,	// the pages must work without it
		timeout: 30000,
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	page.setDefaultTimeout(15000);

	// 1. Home: Vietnamese, a labelled search box, the fields.
	let resp = await page.goto(base + '/');
	check('home answers 200', resp && resp.status() === 200, resp && resp.status());
	check('home is lang=vi', await page.getAttribute('html', 'lang') === 'vi');
	check('home has a skip link to the content',
		await page.locator('a.skip[href="#noi-dung"]').count() === 1);
	check('search box has a label',
		await page.getByLabel('Tên hoặc mã thủ tục').count() === 1);
	check('home lists the field Hộ tịch',
		await page.locator('.fields a', { hasText: 'Hộ tịch' }).count() > 0);
	check('no JavaScript on the page', await page.locator('script').count() === 0);
	await page.screenshot({ path: join(outDir, '1-home.png'), fullPage: false });

	// 2. Search without diacritics, as typed on a phone.
	await page.getByLabel('Tên hoặc mã thủ tục').fill('dang ky ket hon');
	await Promise.all([page.waitForURL(/\/thu-tuc\?/), page.getByRole('button', { name: 'Tìm kiếm' }).click()]);
	const first = page.locator('ol.results li a').first();
	check('first result is 1.000894 Thủ tục đăng ký kết hôn',
		(await first.textContent() || '').trim() === 'Thủ tục đăng ký kết hôn' &&
		await first.getAttribute('href') === '/thu-tuc/1.000894',
		await first.textContent());
	await page.screenshot({ path: join(outDir, '2-search.png'), fullPage: false });

	// 3. Open the procedure.
	await Promise.all([page.waitForURL(/\/thu-tuc\/1\.000894$/), first.click()]);
	check('procedure title', (await page.locator('h1').textContent() || '').trim() === 'Thủ tục đăng ký kết hôn');
	const body = await page.locator('main').innerText();
	for (const s of ['Mã thủ tục', '1.000894', 'Hộ tịch', 'Thời hạn giải quyết', 'Phí, lệ phí',
		'Trực tiếp', 'Trực tuyến', 'Thành phần hồ sơ', 'Trình tự thực hiện', 'Căn cứ pháp lý'])
		check(`procedure shows “${s}”`, body.includes(s));
	check('procedure links its source on dichvucong.gov.vn',
		await page.locator('a[href*="dichvucong.gov.vn"]').count() > 0);
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	check('procedure fits a 390px phone screen (no sideways scroll)', wide <= 390, `scrollWidth ${wide}`);
	await page.screenshot({ path: join(outDir, '3-procedure.png'), fullPage: true });

	// 4. The short URL a QR code carries lands on the procedure.
	resp = await page.goto(base + '/t/1.000894');
	check('/t/1.000894 lands on the procedure page',
		resp && resp.status() === 200 && page.url().endsWith('/thu-tuc/1.000894'), page.url());

	// 5. The same search with capitals and diacritics.
	await page.goto(base + '/thu-tuc?q=' + encodeURIComponent('ĐĂNG KÝ KẾT HÔN'));
	check('ĐĂNG KÝ KẾT HÔN also finds 1.000894 first',
		await page.locator('ol.results li a').first().getAttribute('href') === '/thu-tuc/1.000894');

	// 5b. Filter by field with the select (options carry no value attribute).
	await page.selectOption('#linh-vuc', { label: 'Hộ tịch' });
	await Promise.all([page.waitForURL(/linh-vuc=/), page.getByRole('button', { name: 'Tìm kiếm' }).click()]);
	const metas = await page.locator('ol.results .meta').allInnerTexts();
	check('field filter from the select keeps only Hộ tịch',
		metas.length > 0 && metas.every(m => m.includes('Hộ tịch')), `${metas.length} results`);

	// 6. The commune's QR board, on screen and as printed on A4.
	resp = await page.goto(base + '/don-vi/07738/bang-qr');
	check('board answers 200', resp && resp.status() === 200, resp && resp.status());
	const h1 = (await page.locator('h1').textContent() || '').trim();
	check('board heading', /bảng tra cứu thủ tục hành chính bằng mã qr/i.test(h1), h1);
	check('board names Phường Cảnh Thụy', (await page.locator('.board-head').innerText()).includes('Phường Cảnh Thụy'));
	const nQr = await page.locator('.board-item svg.qr').count();
	check('board shows QR codes', nQr > 10, `${nQr} codes`);
	check('board groups by field', await page.locator('.board-field h2').count() > 1);
	await page.screenshot({ path: join(outDir, '4-board-phone.png'), fullPage: false });
	await page.setViewportSize({ width: 794, height: 1123 });	// A4 at 96 dpi
	await page.emulateMedia({ media: 'print' });
	const qrMm = await page.evaluate(() => {
		const r = document.querySelector('.board-item svg.qr').getBoundingClientRect();
		return r.width * 25.4 / 96;
	});
	check('printed QR is at least 2.5 cm', qrMm >= 25, `${qrMm.toFixed(1)} mm`);
	await page.screenshot({ path: join(outDir, '5-board-print.png'), fullPage: false });
	await page.pdf({ path: join(outDir, 'board.pdf'), format: 'A4', printBackground: true });
	await page.emulateMedia({ media: 'screen' });
	await page.setViewportSize({ width: 390, height: 844 });

	// 7. An unknown code: a Vietnamese 404 with the search box.
	resp = await page.goto(base + '/thu-tuc/9.999999');
	check('unknown code answers 404', resp && resp.status() === 404, resp && resp.status());
	check('404 page is in Vietnamese with a search box',
		(await page.locator('main').innerText()).includes('Không tìm thấy') &&
		await page.getByLabel('Tên hoặc mã thủ tục').count() === 1);
	await page.screenshot({ path: join(outDir, '6-not-found.png'), fullPage: false });
} catch (e) {
	check('journey ran to the end', false, e && e.message ? e.message.split('\n')[0] : String(e));
} finally {
	if (ctx) await ctx.close();
	rmSync(profile, { recursive: true, force: true });
}
console.log(`screenshots: ${outDir}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
