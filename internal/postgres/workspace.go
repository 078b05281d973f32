package postgres

import (
	"context"

	"github.com/heraldsocial/herald/internal/herald"
)

const workspaceCols = `w.id, w.name, w.time_zone, w.brand_rules, w.publishing_paused_at, w.created_at, w.updated_at`

func scanWorkspace(r scanner) (herald.Workspace, error) {
	var w herald.Workspace
	err := r.Scan(&w.ID, &w.Name, &w.TimeZone, &w.BrandRules, &w.PublishingPausedAt, &w.CreatedAt, &w.UpdatedAt)
	return w, err
}

// CreateWorkspace inserts w and sets its ID.
func (s store) CreateWorkspace(ctx context.Context, w *herald.Workspace) error {
	stamp(&w.CreatedAt)
	stamp(&w.UpdatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO workspaces (name, time_zone, brand_rules, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		w.Name, w.TimeZone, w.BrandRules, w.CreatedAt, w.UpdatedAt).Scan(&w.ID)
	return dbErr("create workspace", err)
}

// GetWorkspace returns the workspace with id.
func (s store) GetWorkspace(ctx context.Context, id int64) (herald.Workspace, error) {
	w, err := scanWorkspace(s.q.QueryRow(ctx, `SELECT `+workspaceCols+` FROM workspaces w WHERE w.id = $1`, id))
	if err != nil {
		return herald.Workspace{}, notFound("workspace", "get workspace", err)
	}
	return w, nil
}

// UpdateWorkspace saves w's name, time zone, brand rules and UpdatedAt.
func (s store) UpdateWorkspace(ctx context.Context, w *herald.Workspace) error {
	stamp(&w.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE workspaces SET name = $2, time_zone = $3, brand_rules = $4, updated_at = $5
		WHERE id = $1`, w.ID, w.Name, w.TimeZone, w.BrandRules, w.UpdatedAt)
	if err != nil {
		return dbErr("update workspace", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("workspace")
	}
	return nil
}

// DeleteWorkspace deletes the workspace and, by cascade, everything in it.
func (s store) DeleteWorkspace(ctx context.Context, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM workspaces WHERE id = $1`, id)
	if err != nil {
		return dbErr("delete workspace", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("workspace")
	}
	return nil
}

// ListUserWorkspaces returns the workspaces userID belongs to, by name, with
// the user's role in each.
func (s store) ListUserWorkspaces(ctx context.Context, userID int64) ([]herald.UserWorkspace, error) {
	rows, err := s.q.Query(ctx, `SELECT `+workspaceCols+`, m.role FROM workspaces w
		JOIN memberships m ON m.workspace_id = w.id
		WHERE m.user_id = $1 ORDER BY lower(w.name) COLLATE "C", w.id`, userID)
	if err != nil {
		return nil, dbErr("list user workspaces", err)
	}
	out, err := collect(rows, func(r scanner) (herald.UserWorkspace, error) {
		var uw herald.UserWorkspace
		w := &uw.Workspace
		err := r.Scan(&w.ID, &w.Name, &w.TimeZone, &w.BrandRules, &w.PublishingPausedAt, &w.CreatedAt, &w.UpdatedAt,
			&uw.Role)
		return uw, err
	})
	return out, dbErr("list user workspaces", err)
}

const userCols = `id, email, name, password_hash, created_at, updated_at, last_login_at`

func scanUser(r scanner) (herald.User, error) {
	var u herald.User
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.CreatedAt, &u.UpdatedAt, &u.LastLoginAt)
	return u, err
}

// CreateUser inserts u (its e-mail lower-cased) and sets its ID.
func (s store) CreateUser(ctx context.Context, u *herald.User) error {
	u.Email = herald.NormalizeEmail(u.Email)
	stamp(&u.CreatedAt)
	stamp(&u.UpdatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, created_at, updated_at, last_login_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.Email, u.Name, u.PasswordHash, u.CreatedAt, u.UpdatedAt, u.LastLoginAt).Scan(&u.ID)
	return dbErr("create user", err)
}

// GetUser returns the user with id.
func (s store) GetUser(ctx context.Context, id int64) (herald.User, error) {
	u, err := scanUser(s.q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return herald.User{}, notFound("user", "get user", err)
	}
	return u, nil
}

// GetUserByEmail returns the user with email, compared case-insensitively.
func (s store) GetUserByEmail(ctx context.Context, email string) (herald.User, error) {
	u, err := scanUser(s.q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE lower(email) = lower($1)`,
		herald.NormalizeEmail(email)))
	if err != nil {
		return herald.User{}, notFound("user", "get user by email", err)
	}
	return u, nil
}

// UpdateUser saves u's name, e-mail, password hash, last login and UpdatedAt.
func (s store) UpdateUser(ctx context.Context, u *herald.User) error {
	u.Email = herald.NormalizeEmail(u.Email)
	stamp(&u.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE users SET email = $2, name = $3, password_hash = $4, last_login_at = $5,
		updated_at = $6 WHERE id = $1`, u.ID, u.Email, u.Name, u.PasswordHash, u.LastLoginAt, u.UpdatedAt)
	if err != nil {
		return dbErr("update user", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("user")
	}
	return nil
}

// CountUsers returns how many users exist.
func (s store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, dbErr("count users", err)
}

// AddMember inserts m; ErrConflict if the user already is a member.
func (s store) AddMember(ctx context.Context, m *herald.Membership) error {
	stamp(&m.CreatedAt)
	_, err := s.q.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at)
		VALUES ($1, $2, $3, $4)`, m.WorkspaceID, m.UserID, m.Role, m.CreatedAt)
	return dbErr("add member", err)
}

// GetMembership returns userID's membership of workspaceID.
func (s store) GetMembership(ctx context.Context, workspaceID, userID int64) (herald.Membership, error) {
	var m herald.Membership
	err := s.q.QueryRow(ctx, `SELECT workspace_id, user_id, role, created_at FROM memberships
		WHERE workspace_id = $1 AND user_id = $2`, workspaceID, userID).
		Scan(&m.WorkspaceID, &m.UserID, &m.Role, &m.CreatedAt)
	if err != nil {
		return herald.Membership{}, notFound("membership", "get membership", err)
	}
	return m, nil
}

// ListMembers returns the workspace's members by name.
func (s store) ListMembers(ctx context.Context, workspaceID int64) ([]herald.Member, error) {
	rows, err := s.q.Query(ctx, `SELECT m.workspace_id, m.user_id, m.role, m.created_at, u.email, u.name
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = $1 ORDER BY lower(u.name) COLLATE "C", u.id`, workspaceID)
	if err != nil {
		return nil, dbErr("list members", err)
	}
	out, err := collect(rows, func(r scanner) (herald.Member, error) {
		var m herald.Member
		err := r.Scan(&m.WorkspaceID, &m.UserID, &m.Role, &m.CreatedAt, &m.Email, &m.Name)
		return m, err
	})
	return out, dbErr("list members", err)
}

// UpdateMemberRole changes userID's role in workspaceID.
func (s store) UpdateMemberRole(ctx context.Context, workspaceID, userID int64, role herald.Role) error {
	tag, err := s.q.Exec(ctx, `UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2`,
		workspaceID, userID, role)
	if err != nil {
		return dbErr("update member role", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("membership")
	}
	return nil
}

// RemoveMember removes userID from workspaceID.
func (s store) RemoveMember(ctx context.Context, workspaceID, userID int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
		workspaceID, userID)
	if err != nil {
		return dbErr("remove member", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("membership")
	}
	return nil
}

// LockOwners locks the workspace's owner rows (FOR UPDATE) and counts
// them. Under READ COMMITTED a second caller waits for the first to end,
// then re-reads the rows it waited for: a demoted owner no longer matches.
func (s store) LockOwners(ctx context.Context, workspaceID int64) (int, error) {
	rows, err := s.q.Query(ctx, `SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner' FOR UPDATE`,
		workspaceID)
	if err != nil {
		return 0, dbErr("lock owners", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, dbErr("lock owners", rows.Err())
}

// CountMembersWithRole counts the workspace's members with role.
func (s store) CountMembersWithRole(ctx context.Context, workspaceID int64, role herald.Role) (int, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = $2`,
		workspaceID, role).Scan(&n)
	return n, dbErr("count members with role", err)
}
