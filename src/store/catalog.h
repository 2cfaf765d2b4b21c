/*
 * catalog.h - the reference-data repository: administrative units, the
 * national procedure catalog, commune desks and the procedures they serve,
 * and the diacritic-insensitive procedure search the public pages use.
 * Every function returns one jansson model that a page renders and the API
 * serves as it is (DESIGN.md "one model, two views"); the shapes are below.
 * Read-only: the tables are written by store/import.c only.
 *
 * Conventions of all functions here:
 *   - `db` is borrowed (one connection per thread, see store/db.h); SQL runs
 *     through db_prepare_cached(), so a lookup costs a few tens of µs.
 *   - On success *out is a new reference the caller json_decref()s.
 *   - Errors: MC_ENOTFOUND for an unknown code (reason in err), MC_EINVALID
 *     for a bad argument (e.g. invalid UTF-8 in a query), MC_EDB otherwise.
 *   - Text is NFC UTF-8. Missing text values are "" (never null) unless the
 *     shape says "|null". Booleans are JSON true/false.
 *
 * Channel codes: "truc_tiep" (Trực tiếp, at the counter), "truc_tuyen"
 * (Trực tuyến, online), "buu_chinh" (Dịch vụ bưu chính, by post), and
 * "tat_ca" (channel_name "Các cách thức") where the source gave one value
 * for all of a procedure's channels without naming them (procedures that
 * have no detail record, data/SOURCES.md).
 *
 * ---- Shapes ---------------------------------------------------------------
 *
 * duration (null when the source text has no readable unit, e.g. a bare "1";
 * the page then shows time_text as it is):
 *   {"code":"3wd", "unit":"working_days"|"working_hours"|"calendar_days"|
 *    "same_day", "amount":3, "text":"3 ngày làm việc"}
 *
 * channel:
 *   {"channel":"truc_tiep", "channel_name":"Trực tiếp",
 *    "time_text":"3 Ngày làm việc"   (source text, kept as published),
 *    "duration":duration|null,
 *    "fee_text":"50,000 VNĐ"         (source text, kept as published),
 *    "fee_dong":50000|null           (null: not parseable, see fee_text),
 *    "fee_free":true|false           (fee_dong == 0),
 *    "note":"..."}
 *
 * procedure (catalog_procedure_get):
 *   {"code":"1.000894", "name":"Thủ tục đăng ký kết hôn", "field":"Hộ tịch",
 *    "levels":"Cấp xã"  (as published), "level_list":["Cấp xã"],
 *    "commune_level":true, "commune_list_2026":true,
 *    "issuing_body", "decision_no", "procedure_type", "implementing_agency",
 *    "competent_authority", "target", "receiving_address",
 *    "online_submission":true|false|null,
 *    "channels":[channel...]          (order: truc_tiep, truc_tuyen, buu_chinh, tat_ca;
 *                                      a channel may appear more than once when
 *                                      the source lists several cases),
 *    "time_text":"..."                (the counter channel's time text, else
 *                                      the first channel's; "" if none),
 *    "fee_text":"..."                 (likewise),
 *    "component_groups":[{"group":"Giấy tờ phải nộp",
 *        "items":[{"seq":1, "name":"...", "quantity":"1 bản chính,1 bản sao",
 *                  "originals":1|null, "copies":1|null, "has_form":false}]}],
 *    "n_components":12,
 *    "steps":["Bước 1: ...", ...]     (non-empty lines of the source text),
 *    "conditions":["...", ...],
 *    "legal_basis":["123/2015/NĐ-CP", ...],
 *    "results":[{"name":"Giấy chứng nhận kết hôn", "code":"KQ.G15.000032"}],
 *    "source_url":"https://dichvucong.gov.vn/...",
 *    "detail_status":"ok"|"list_only", "has_detail":true|false}
 *   has_detail is false for procedures known only from the list export (no
 *   channels, components, steps): pages say "chưa có thông tin chi tiết".
 *
 * search result (catalog_search):
 *   {"query":"dang ky ket hon", "field":"Hộ tịch"|null,
 *    "items":[{"code", "name", "field", "levels", "commune_level":bool,
 *              "online_submission":true|false|null}],
 *    "total":57, "page":1, "per_page":20, "pages":3}
 *
 * fields (catalog_fields):
 *   {"fields":[{"name":"Hộ tịch", "count":81, "commune_count":40}],
 *    "total":2642}                    (fields sorted by name, Vietnamese order;
 *                                      commune_count: procedures served by
 *                                      commune desks by default)
 *
 * unit ref: {"code":"07738", "name":"Cảnh Thụy", "full_name":"Phường Cảnh Thụy",
 *            "type":"phường", "era":"2025"}
 *
 * unit (catalog_unit_get; era 2025):
 *   {unit ref fields...,
 *    "parent":unit ref|null,
 *    "children":[unit ref...]         (communes of a province, by name),
 *    "merged_from":[{"code":"07729", "name":"Xã Tiến Dũng",
 *        "district_code":"213", "province_code":"24",
 *        "relation":"Nhập toàn bộ"}]  (NSO old→new table; [] for provinces),
 *    "desk":desk|null,
 *    "fields":[{"name":"Hộ tịch", "count":n,
 *               "procedures":[{"code","name"}]}],
 *    "n_procedures":n}
 *
 * desk: {"id":12, "name":"Trung tâm phục vụ hành chính công Phường Cảnh Thụy",
 *        "agency_code":"..."|null, "office_hours":"..."|null,
 *        "cutoff":"15:00"|null}
 *
 * board (catalog_unit_board; the QR board printed for a commune desk):
 *   {"unit":unit ref + {"parent":unit ref|null}, "desk":desk,
 *    "fields":[{"name":"Hộ tịch", "count":n,
 *               "procedures":[{"code","name","time_text","fee_text",
 *                              "online_submission":bool|null}]}],
 *    "n_procedures":n}
 *   A unit without a desk (a province) is MC_ENOTFOUND.
 */
#ifndef MC_STORE_CATALOG_H
#define MC_STORE_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"

/*
 * Whether a procedure (shape "procedure") may be submitted online
 * (web/h_online.c; the procedure page links to the form): the catalog
 * lists a "truc_tuyen" channel for it, or one value for all channels
 * ("tat_ca") while flagging online submission.
 */
bool catalog_offered_online(json_t *proc);

/* One procedure with everything its page shows (shape "procedure"). */
int catalog_procedure_get(struct db *db, const char *code, json_t **out,
			  struct buf *err);

/*
 * Ranked search over the procedure catalog (shape "search result").
 * `query` is matched insensitive to case and diacritics ("dang ky ket hon"
 * and "ĐĂNG KÝ KẾT HÔN" rank 1.000894 first); a query that looks like a
 * code ("1.000894", or a prefix "1.0008") matches codes. Ranking: exact
 * phrase in the name, then all words, then code matches (core/search.h).
 * An empty query lists every procedure by name. `field` (exact field name)
 * restricts the result, NULL or "" for all. `page` counts from 1; per_page
 * is clamped to 1..100 (0 means 20). A page past the end gives items [].
 *
 * The index lives in the process, shared by all threads (readers do not
 * block each other). It is built from the database on first use and rebuilt
 * when the catalog version (bumped by every import) changes; the version is
 * checked at most once a second.
 */
int catalog_search(struct db *db, const char *query, const char *field,
		   int page, int per_page, json_t **out, struct buf *err);

/* The fields with their procedure counts (shape "fields"). */
int catalog_fields(struct db *db, json_t **out, struct buf *err);

/* A unit of the 2025 list with its desk and procedures (shape "unit"). */
int catalog_unit_get(struct db *db, const char *code, json_t **out,
		     struct buf *err);

/*
 * The units of the 2025 list under `parent_code` (NULL or "": the 34
 * provinces), as {"items":[unit ref...], "total":n}, sorted by name.
 */
int catalog_units_list(struct db *db, const char *parent_code, json_t **out,
		       struct buf *err);

/* The QR board of a commune desk (shape "board"). */
int catalog_unit_board(struct db *db, const char *code, json_t **out,
		       struct buf *err);

/* The catalog version counter (bumped by each import). */
int catalog_version(struct db *db, int64_t *out, struct buf *err);

/*
 * Drops the process's search index so the next search rebuilds it. Import
 * calls it; tests that switch databases in one process call it too (the
 * index assumes one database per process).
 */
void catalog_cache_reset(void);

#endif
