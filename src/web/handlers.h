/*
 * handlers.h - the handlers named in the routing table (web/routes.c), one
 * line each, grouped by the file that defines them. All have the
 * http_handler signature (web/http.h); see "How to add a page" in
 * web/route.h.
 */
#ifndef MC_WEB_HANDLERS_H
#define MC_WEB_HANDLERS_H

#include "web/http.h"

/* web/h_system.c: health, metrics, static files. */
int handle_healthz(struct http_request *req, struct http_response *res);
int handle_metrics(struct http_request *req, struct http_response *res);
int handle_static(struct http_request *req, struct http_response *res);
int handle_favicon(struct http_request *req, struct http_response *res);
int handle_robots(struct http_request *req, struct http_response *res);

/* Public pages (engineer "pages"): add lines below, grouped by file. */
/* web/h_public.c: home, search, procedure, unit, QR board, QR images. */
int handle_home(struct http_request *req, struct http_response *res);
int handle_search(struct http_request *req, struct http_response *res);
int handle_procedure(struct http_request *req, struct http_response *res);
int handle_short(struct http_request *req, struct http_response *res);
int handle_unit(struct http_request *req, struct http_response *res);
int handle_board(struct http_request *req, struct http_response *res);
int handle_qr_svg(struct http_request *req, struct http_response *res);
int handle_qr_png(struct http_request *req, struct http_response *res);

/* web/h_calendar.c: working time API and the public calendar page. */
int handle_calendar_page(struct http_request *req, struct http_response *res);
int handle_api_calendar_lunar(struct http_request *req,
			      struct http_response *res);
int handle_api_calendar_solar(struct http_request *req,
			      struct http_response *res);
int handle_api_calendar_days_off(struct http_request *req,
				 struct http_response *res);
int handle_api_calendar_due(struct http_request *req,
			    struct http_response *res);
int handle_api_calendar_between(struct http_request *req,
				struct http_response *res);

/* web/h_audit.c: the audit trail for inspectors (engineer "audit"). */
int handle_audit(struct http_request *req, struct http_response *res);

/* web/h_admin_org.c: units, desks, the days-off calendar (admin-org). */
int handle_admin_units(struct http_request *req, struct http_response *res);
int handle_admin_unit(struct http_request *req, struct http_response *res);
int handle_api_admin_desk(struct http_request *req, struct http_response *res);
int handle_admin_calendar_index(struct http_request *req,
				struct http_response *res);
int handle_admin_calendar_year(struct http_request *req,
			       struct http_response *res);
int handle_api_admin_calendar_entries(struct http_request *req,
				      struct http_response *res);
int handle_api_admin_calendar_import(struct http_request *req,
				     struct http_response *res);

/*
 * web/h_admin_users.c: users, grants and API tokens (engineer
 * "admin-users"); the route_unit_fn of a user named by the path parameter
 * "username": _view is the unit of a grant the requester covers (a user is
 * in scope when one of their grants is), _account the unit of a grant the
 * requester does not cover, if any (changing the account needs all);
 * admin_unit_of_token: the unit of the token named by "name".
 */
int admin_unit_of_user_view(struct http_request *req, const char **unit_code);
int admin_unit_of_user_account(struct http_request *req,
			       const char **unit_code);
int admin_unit_of_token(struct http_request *req, const char **unit_code);
int handle_admin_users(struct http_request *req, struct http_response *res);
int handle_admin_user_new(struct http_request *req, struct http_response *res);
int handle_admin_user(struct http_request *req, struct http_response *res);
int handle_admin_user_edit(struct http_request *req,
			   struct http_response *res);
int handle_admin_user_disable(struct http_request *req,
			      struct http_response *res);
int handle_admin_user_enable(struct http_request *req,
			     struct http_response *res);
int handle_admin_user_password(struct http_request *req,
			       struct http_response *res);
int handle_admin_user_sessions(struct http_request *req,
			       struct http_response *res);
int handle_admin_grant_add(struct http_request *req,
			   struct http_response *res);
int handle_admin_grant_remove(struct http_request *req,
			      struct http_response *res);
int handle_admin_tokens(struct http_request *req, struct http_response *res);
int handle_admin_token_new(struct http_request *req,
			   struct http_response *res);
int handle_admin_token_revoke(struct http_request *req,
			      struct http_response *res);

/*
 * web/h_admin_catalog.c: the catalog, procedure versions, a desk's
 * procedure list, the reform report (engineer "versions");
 * admin_unit_of_version: the scope of the version named by "id".
 */
int admin_unit_of_version(struct http_request *req, const char **unit_code);
int handle_admin_catalog(struct http_request *req, struct http_response *res);
int handle_admin_procedure(struct http_request *req,
			   struct http_response *res);
int handle_admin_version_new(struct http_request *req,
			     struct http_response *res);
int handle_admin_version(struct http_request *req, struct http_response *res);
int handle_admin_version_publish(struct http_request *req,
				 struct http_response *res);
int handle_admin_version_delete(struct http_request *req,
				struct http_response *res);
int handle_admin_desk_procedures(struct http_request *req,
				 struct http_response *res);
int handle_admin_reform_index(struct http_request *req,
			      struct http_response *res);
int handle_admin_reform(struct http_request *req, struct http_response *res);

/*
 * web/h_intake.c: the counter (engineer "intake"): intake with preview and
 * confirm, the receipt (Mẫu 01), the guidance of a refusal at intake, the
 * same-day sitting, the desk's bank account, POST /api/v1/dossiers.
 * intake_unit_of: the desk named by "desk" (form, query or JSON body),
 * else the officer's first desk; intake_unit_of_dossier: the unit of the
 * dossier named by the path parameter "code".
 */
int intake_unit_of(struct http_request *req, const char **unit_code);
int intake_unit_of_dossier(struct http_request *req, const char **unit_code);
int handle_intake(struct http_request *req, struct http_response *res);
int handle_receipt(struct http_request *req, struct http_response *res);
int handle_refusal_form(struct http_request *req, struct http_response *res);
int handle_sameday(struct http_request *req, struct http_response *res);
int handle_desk_payment(struct http_request *req, struct http_response *res);

/*
 * web/h_workflow.c, web/h_dossier.c: the back office (engineer
 * "workflow"): the officers' home, work queues, the tracking book; the
 * dossier page, its actions, personal data (audited), payments, the
 * printable forms Mẫu 02/03/04 and the process-control slip.
 * wf_unit_of_dossier: the unit of the dossier named by "code".
 */
int wf_unit_of_dossier(struct http_request *req, const char **unit_code);
int handle_workflow_home(struct http_request *req, struct http_response *res);
int handle_queue(struct http_request *req, struct http_response *res);
int handle_book(struct http_request *req, struct http_response *res);
int handle_dossier(struct http_request *req, struct http_response *res);
int handle_dossier_personal(struct http_request *req,
			    struct http_response *res);
int handle_dossier_action(struct http_request *req,
			  struct http_response *res);
int handle_dossier_payment(struct http_request *req,
			   struct http_response *res);
int handle_dossier_print(struct http_request *req, struct http_response *res);
int handle_slip(struct http_request *req, struct http_response *res);

/* Issue 6, citizen services: each engineer declares its handlers in its
 * own block below. */
/* -- lookup and rating (web/h_lookup.c, engineer "lookup") -- */
/*
 * web/h_lookup.c: the citizen's lookup (/tra-cuu, /tra-cuu/{code}?ma=, the
 * API GET /api/v1/lookup/{code}), the rating (POST /tra-cuu/{code}/danh-gia,
 * POST /api/v1/lookup/{code}/rating), the desk's kiosk (/mot-cua/danh-gia),
 * the inspector's list (/thanh-tra/danh-gia, GET /api/v1/ratings).
 */
int handle_lookup_form(struct http_request *req, struct http_response *res);
int handle_lookup(struct http_request *req, struct http_response *res);
int handle_lookup_rating(struct http_request *req, struct http_response *res);
int handle_kiosk(struct http_request *req, struct http_response *res);
int handle_kiosk_rating(struct http_request *req, struct http_response *res);
int handle_rating_list(struct http_request *req, struct http_response *res);
/* -- feedback, phản ánh kiến nghị (web/h_feedback.c, engineer "feedback") -- */
/* feedback_unit_of_route: the responsible unit of the feedback "code". */
int feedback_unit_of_route(struct http_request *req, const char **unit_code);
int handle_feedback_form(struct http_request *req, struct http_response *res);
int handle_feedback_lookup(struct http_request *req,
			   struct http_response *res);
int handle_feedback_view(struct http_request *req, struct http_response *res);
int handle_feedback_citizen_action(struct http_request *req,
				   struct http_response *res);
int handle_feedback_public(struct http_request *req,
			   struct http_response *res);
int handle_feedback_queue(struct http_request *req, struct http_response *res);
int handle_feedback_officer(struct http_request *req,
			    struct http_response *res);
int handle_feedback_officer_action(struct http_request *req,
				   struct http_response *res);
/* -- online submission (web/h_online.c, engineer "online") -- */
/* The citizen's form, its confirmation and printable confirmation, the API,
 * the supplement page reached with the secret, a dossier's files (citizen,
 * officer, the file API), the officers' queue of online dossiers and its
 * review with accept / ask for a supplement / reject. upload_online: PDF,
 * JPEG, PNG, 10 MiB a file, 40 MiB a request, 20 files. */
struct upload_rules;
extern const struct upload_rules upload_online;
int handle_online_form(struct http_request *req, struct http_response *res);
int handle_online_api(struct http_request *req, struct http_response *res);
int handle_online_done(struct http_request *req, struct http_response *res);
int handle_online_print(struct http_request *req, struct http_response *res);
int handle_online_supplement(struct http_request *req,
			     struct http_response *res);
int handle_online_citizen_file(struct http_request *req,
			       struct http_response *res);
int handle_online_officer_file(struct http_request *req,
			       struct http_response *res);
int handle_online_file_api(struct http_request *req,
			   struct http_response *res);
int handle_online_queue(struct http_request *req, struct http_response *res);
int handle_online_review(struct http_request *req, struct http_response *res);
/* -- notifications (web/h_notify.c, engineer "notify") -- */
/* The outbox and webhooks admin page and its API twins (system-wide:
 * ACT_UNITS_EDIT on "VN"). */
int handle_notify_admin(struct http_request *req, struct http_response *res);
int handle_notify_retry(struct http_request *req, struct http_response *res);
int handle_notify_webhook_new(struct http_request *req,
			      struct http_response *res);
int handle_notify_webhook_remove(struct http_request *req,
				 struct http_response *res);

#endif
