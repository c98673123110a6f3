using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ZnDraw.Storage.Sql.PostgreSql.Migrations.History
{
    /// <inheritdoc />
    internal partial class InitialHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "extension_registrations",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    scope = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    schema_json = table.Column<string>(type: "jsonb", nullable: false),
                    worker_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    registered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_extension_registrations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "room_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    room_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    event_type = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    user = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    metadata = table.Column<string>(type: "jsonb", nullable: true),
                    timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "user_login_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    username = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    session_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    login_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    logout_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ip_address = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_login_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_extension_registrations_category",
                table: "extension_registrations",
                column: "category");

            migrationBuilder.CreateIndex(
                name: "ix_extension_registrations_event_id",
                table: "extension_registrations",
                column: "event_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_extension_registrations_name",
                table: "extension_registrations",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "ix_extension_registrations_name_registered_at",
                table: "extension_registrations",
                columns: new[] { "name", "registered_at" });

            migrationBuilder.CreateIndex(
                name: "ix_extension_registrations_registered_at",
                table: "extension_registrations",
                column: "registered_at");

            migrationBuilder.CreateIndex(
                name: "ix_extension_registrations_scope",
                table: "extension_registrations",
                column: "scope");

            migrationBuilder.CreateIndex(
                name: "ix_extension_registrations_scope_category",
                table: "extension_registrations",
                columns: new[] { "scope", "category" });

            migrationBuilder.CreateIndex(
                name: "ix_room_events_event_id",
                table: "room_events",
                column: "event_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_room_events_room_id",
                table: "room_events",
                column: "room_id");

            migrationBuilder.CreateIndex(
                name: "ix_room_events_room_id_timestamp",
                table: "room_events",
                columns: new[] { "room_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_room_events_timestamp",
                table: "room_events",
                column: "timestamp");

            migrationBuilder.CreateIndex(
                name: "ix_user_login_events_event_id",
                table: "user_login_events",
                column: "event_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_user_login_events_login_at",
                table: "user_login_events",
                column: "login_at");

            migrationBuilder.CreateIndex(
                name: "ix_user_login_events_username",
                table: "user_login_events",
                column: "username");

            migrationBuilder.CreateIndex(
                name: "ix_user_login_events_username_session_id",
                table: "user_login_events",
                columns: new[] { "username", "session_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "extension_registrations");

            migrationBuilder.DropTable(
                name: "room_events");

            migrationBuilder.DropTable(
                name: "user_login_events");
        }
    }
}
