using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ZnDraw.Storage.Sql.Sqlite.Migrations.Storage
{
    /// <inheritdoc />
    internal partial class InitialStorage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "room_active_selection_groups",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_active_selection_groups", x => x.room_id);
                });

            migrationBuilder.CreateTable(
                name: "room_bookmarks",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    frame = table.Column<int>(type: "INTEGER", nullable: false),
                    label = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_bookmarks", x => new { x.room_id, x.frame });
                });

            migrationBuilder.CreateTable(
                name: "room_chat_counters",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    last_number = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_chat_counters", x => x.room_id);
                });

            migrationBuilder.CreateTable(
                name: "room_chat_messages",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    number = table.Column<long>(type: "INTEGER", nullable: false),
                    author = table.Column<string>(type: "TEXT", nullable: false),
                    content = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    is_edited = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_chat_messages", x => new { x.room_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "room_cleanups",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_cleanups", x => x.room_id);
                });

            migrationBuilder.CreateTable(
                name: "room_extension_data",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    user_name = table.Column<string>(type: "TEXT", nullable: false),
                    category = table.Column<string>(type: "TEXT", nullable: false),
                    extension = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_extension_data", x => new { x.room_id, x.user_name, x.category, x.extension });
                });

            migrationBuilder.CreateTable(
                name: "room_figures",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_figures", x => new { x.room_id, x.name });
                });

            migrationBuilder.CreateTable(
                name: "room_frame_selections",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    group_name = table.Column<string>(type: "TEXT", nullable: false),
                    frames = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_frame_selections", x => new { x.room_id, x.group_name });
                });

            migrationBuilder.CreateTable(
                name: "room_frames",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    member = table.Column<string>(type: "TEXT", nullable: false),
                    score = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_frames", x => new { x.room_id, x.member });
                });

            migrationBuilder.CreateTable(
                name: "room_geometries",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_geometries", x => new { x.room_id, x.name });
                });

            migrationBuilder.CreateTable(
                name: "room_members",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    user_name = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_members", x => new { x.room_id, x.user_name });
                });

            migrationBuilder.CreateTable(
                name: "room_metadata",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    field = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_metadata", x => new { x.room_id, x.field });
                });

            migrationBuilder.CreateTable(
                name: "room_selection_groups",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_selection_groups", x => new { x.room_id, x.name });
                });

            migrationBuilder.CreateTable(
                name: "room_selections",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    geometry = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_selections", x => new { x.room_id, x.geometry });
                });

            migrationBuilder.CreateTable(
                name: "room_user_settings",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "TEXT", nullable: false),
                    user_name = table.Column<string>(type: "TEXT", nullable: false),
                    section = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_user_settings", x => new { x.room_id, x.user_name, x.section });
                });

            migrationBuilder.CreateTable(
                name: "rooms",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    locked = table.Column<bool>(type: "INTEGER", nullable: false),
                    hidden = table.Column<bool>(type: "INTEGER", nullable: false),
                    current_frame = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rooms", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "server_settings",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_server_settings", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "user_admins",
                columns: table => new
                {
                    user_name = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_admins", x => x.user_name);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    user_name = table.Column<string>(type: "TEXT", nullable: false),
                    password_hash = table.Column<string>(type: "TEXT", nullable: true),
                    password_salt = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_login = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_activity = table.Column<DateTime>(type: "TEXT", nullable: true),
                    current_room = table.Column<string>(type: "TEXT", nullable: true),
                    current_sid = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.user_name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_room_chat_messages_room_id_created_at_id",
                table: "room_chat_messages",
                columns: new[] { "room_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_room_frames_room_id_score_member",
                table: "room_frames",
                columns: new[] { "room_id", "score", "member" });

            migrationBuilder.CreateIndex(
                name: "ix_room_members_user_name",
                table: "room_members",
                column: "user_name");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "room_active_selection_groups");

            migrationBuilder.DropTable(
                name: "room_bookmarks");

            migrationBuilder.DropTable(
                name: "room_chat_counters");

            migrationBuilder.DropTable(
                name: "room_chat_messages");

            migrationBuilder.DropTable(
                name: "room_cleanups");

            migrationBuilder.DropTable(
                name: "room_extension_data");

            migrationBuilder.DropTable(
                name: "room_figures");

            migrationBuilder.DropTable(
                name: "room_frame_selections");

            migrationBuilder.DropTable(
                name: "room_frames");

            migrationBuilder.DropTable(
                name: "room_geometries");

            migrationBuilder.DropTable(
                name: "room_members");

            migrationBuilder.DropTable(
                name: "room_metadata");

            migrationBuilder.DropTable(
                name: "room_selection_groups");

            migrationBuilder.DropTable(
                name: "room_selections");

            migrationBuilder.DropTable(
                name: "room_user_settings");

            migrationBuilder.DropTable(
                name: "rooms");

            migrationBuilder.DropTable(
                name: "server_settings");

            migrationBuilder.DropTable(
                name: "user_admins");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
