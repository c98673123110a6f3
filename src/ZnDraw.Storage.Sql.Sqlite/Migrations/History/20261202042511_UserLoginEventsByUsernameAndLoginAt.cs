using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ZnDraw.Storage.Sql.Sqlite.Migrations.History
{
    /// <inheritdoc />
    internal partial class UserLoginEventsByUsernameAndLoginAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_user_login_events_username_login_at",
                table: "user_login_events",
                columns: new[] { "username", "login_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_user_login_events_username_login_at",
                table: "user_login_events");
        }
    }
}
