/*
 * main.c - entry point of the motcua binary: dispatches to a command.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

const struct cmd mc_commands[] = {
	{ "help", cmd_help, "list the commands" },
	{ "audit", cmd_audit, "verify the audit trail's hash chain, print its anchor, list entries" },
	{ "calendar", cmd_calendar, "lunar dates, days off, deadlines in working time" },
	{ "dossier", cmd_dossier, "a dossier: replay its events against its row, show it" },
	{ "demo", cmd_demo, "a living demo province: officers and a year of dossiers" },
	{ "init", cmd_init, "create or migrate the database and import the reference data" },
	{ "import", cmd_import, "import units or procedures from a file" },
	{ "outbox", cmd_outbox, "notifications to applicants and webhooks: list, retry, send due ones once" },
	{ "serve", cmd_serve, "run the web server" },
	{ "token", cmd_token, "API tokens of integrations: create, list, revoke" },
	{ "vietqr", cmd_vietqr, "print a VietQR payment payload (check bank settings)" },
	{ "webhook", cmd_webhook, "signed webhook receivers of public dossier events: add, list, remove" },
	{ "user", cmd_user, "accounts: add, passwd, disable, grant, revoke-sessions, list" },
	{ "template", cmd_template, "render a mustache template with JSON data" },
	{ NULL, NULL, NULL },
};

int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: motcua COMMAND [OPTIONS]\n\ncommands:\n");
	for (const struct cmd *c = mc_commands; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\nEach command has --help.\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc, argv);
	for (const struct cmd *c = mc_commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "motcua: unknown command '%s'; see 'motcua help'\n",
		argv[1]);
	return 2;
}
