package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const workspaceCols = `w.id, w.name, w.time_zone, w.brand_rules, w.publishing_paused_at, w.created_at, w.updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanWorkspace(sc scanner, extra ...any) (herald.Workspace, error) {
	var w herald.Workspace
	var rules string
	var paused sql.NullInt64
	var created, updated int64
	dest := append([]any{&w.ID, &w.Name, &w.TimeZone, &rules, &paused, &created, &updated}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return w, err
	}
	w.PublishingPausedAt = fromNullMicros(paused)
	if err := json.Unmarshal([]byte(rules), &w.BrandRules); err != nil {
		return w, fmt.Errorf("sqlite: workspace %d brand rules: %w", w.ID, err)
	}
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	return w, nil
}

// CreateWorkspace inserts w and sets its ID.
func (s *store) CreateWorkspace(ctx context.Context, w *herald.Workspace) error {
	rules, err := toJSON(w.BrandRules)
	if err != nil {
		return err
	}
	w.CreatedAt = stamp(w.CreatedAt)
	if w.UpdatedAt.IsZero() {
		w.UpdatedAt = w.CreatedAt
	}
	w.UpdatedAt = stamp(w.UpdatedAt)
	err = s.w.QueryRowContext(ctx, `INSERT INTO workspaces (name, time_zone, brand_rules, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, w.Name, w.TimeZone, rules, micros(w.CreatedAt), micros(w.UpdatedAt)).Scan(&w.ID)
	return dbErr(err, "create workspace", "", "")
}

// GetWorkspace returns workspace id.
func (s *store) GetWorkspace(ctx context.Context, id int64) (herald.Workspace, error) {
	w, err := scanWorkspace(s.r.QueryRowContext(ctx, `SELECT `+workspaceCols+` FROM workspaces w WHERE w.id = ?`, id))
	if err != nil {
		return herald.Workspace{}, getErr(err, "workspace")
	}
	return w, nil
}

// UpdateWorkspace saves the name, zone, brand rules and UpdatedAt.
func (s *store) UpdateWorkspace(ctx context.Context, w *herald.Workspace) error {
	rules, err := toJSON(w.BrandRules)
	if err != nil {
		return err
	}
	w.UpdatedAt = stamp(w.UpdatedAt)
	res, err := s.w.ExecContext(ctx, `UPDATE workspaces SET name = ?, time_zone = ?, brand_rules = ?, updated_at = ? WHERE id = ?`,
		w.Name, w.TimeZone, rules, micros(w.UpdatedAt), w.ID)
	if err != nil {
		return dbErr(err, "update workspace", "", "")
	}
	return affected(res, "workspace")
}

// DeleteWorkspace deletes workspace id and, by cascade, everything in it.
func (s *store) DeleteWorkspace(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM workspaces WHERE id = ?`, id)
	if err != nil {
		return dbErr(err, "delete workspace", "", "")
	}
	return affected(res, "workspace")
}

// ListUserWorkspaces returns the workspaces userID belongs to, by name.
func (s *store) ListUserWorkspaces(ctx context.Context, userID int64) ([]herald.UserWorkspace, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+workspaceCols+`, m.role FROM workspaces w
		JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = ? ORDER BY w.name, w.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list user workspaces: %w", err)
	}
	defer rows.Close()
	out := []herald.UserWorkspace{}
	for rows.Next() {
		var uw herald.UserWorkspace
		w, err := scanWorkspace(rows, &uw.Role)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list user workspaces: %w", err)
		}
		uw.Workspace = w
		out = append(out, uw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list user workspaces: %w", err)
	}
	return out, nil
}

const userCols = `id, email, name, password_hash, created_at, updated_at, last_login_at`

func scanUser(sc scanner) (herald.User, error) {
	var u herald.User
	var created, updated int64
	var login sql.NullInt64
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &created, &updated, &login); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt, u.LastLoginAt = fromMicros(created), fromMicros(updated), fromNullMicros(login)
	return u, nil
}

// CreateUser inserts u (its email lower-cased) and sets its ID.
func (s *store) CreateUser(ctx context.Context, u *herald.User) error {
	u.Email = herald.NormalizeEmail(u.Email)
	u.CreatedAt = stamp(u.CreatedAt)
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	u.UpdatedAt = stamp(u.UpdatedAt)
	u.LastLoginAt = stampPtr(u.LastLoginAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, created_at, updated_at, last_login_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, u.PasswordHash, micros(u.CreatedAt), micros(u.UpdatedAt),
		microsOrNil(u.LastLoginAt)).Scan(&u.ID)
	return dbErr(err, "create user", fmt.Sprintf("a user with the e-mail address %s already exists", u.Email), "")
}

// GetUser returns user id.
func (s *store) GetUser(ctx context.Context, id int64) (herald.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return herald.User{}, getErr(err, "user")
	}
	return u, nil
}

// GetUserByEmail returns the user with this address, in any case.
func (s *store) GetUserByEmail(ctx context.Context, email string) (herald.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, herald.NormalizeEmail(email)))
	if err != nil {
		return herald.User{}, getErr(err, "user")
	}
	return u, nil
}

// UpdateUser saves name, email, password hash, last login and UpdatedAt.
func (s *store) UpdateUser(ctx context.Context, u *herald.User) error {
	u.Email = herald.NormalizeEmail(u.Email)
	u.UpdatedAt = stamp(u.UpdatedAt)
	u.LastLoginAt = stampPtr(u.LastLoginAt)
	res, err := s.w.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, password_hash = ?, last_login_at = ?, updated_at = ?
		WHERE id = ?`, u.Name, u.Email, u.PasswordHash, microsOrNil(u.LastLoginAt), micros(u.UpdatedAt), u.ID)
	if err != nil {
		return dbErr(err, "update user", fmt.Sprintf("a user with the e-mail address %s already exists", u.Email), "")
	}
	return affected(res, "user")
}

// CountUsers returns how many users exist.
func (s *store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count users: %w", err)
	}
	return n, nil
}

// AddMember inserts m; ErrConflict if the user already is a member.
func (s *store) AddMember(ctx context.Context, m *herald.Membership) error {
	m.CreatedAt = stamp(m.CreatedAt)
	_, err := s.w.ExecContext(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
		m.WorkspaceID, m.UserID, string(m.Role), micros(m.CreatedAt))
	return dbErr(err, "add member",
		fmt.Sprintf("user %d already is a member of this workspace", m.UserID),
		fmt.Sprintf("there is no user %d or no workspace %d", m.UserID, m.WorkspaceID))
}

// GetMembership returns userID's membership of workspaceID.
func (s *store) GetMembership(ctx context.Context, workspaceID, userID int64) (herald.Membership, error) {
	var m herald.Membership
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT workspace_id, user_id, role, created_at FROM memberships
		WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID).Scan(&m.WorkspaceID, &m.UserID, &m.Role, &created)
	if err != nil {
		return herald.Membership{}, getErr(err, "membership")
	}
	m.CreatedAt = fromMicros(created)
	return m, nil
}

// ListMembers returns a workspace's members by name.
func (s *store) ListMembers(ctx context.Context, workspaceID int64) ([]herald.Member, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.workspace_id, m.user_id, m.role, m.created_at, u.email, u.name
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY u.name, u.id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list members: %w", err)
	}
	defer rows.Close()
	out := []herald.Member{}
	for rows.Next() {
		var m herald.Member
		var created int64
		if err := rows.Scan(&m.WorkspaceID, &m.UserID, &m.Role, &created, &m.Email, &m.Name); err != nil {
			return nil, fmt.Errorf("sqlite: list members: %w", err)
		}
		m.CreatedAt = fromMicros(created)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list members: %w", err)
	}
	return out, nil
}

// UpdateMemberRole changes a member's role.
func (s *store) UpdateMemberRole(ctx context.Context, workspaceID, userID int64, role herald.Role) error {
	res, err := s.w.ExecContext(ctx, `UPDATE memberships SET role = ? WHERE workspace_id = ? AND user_id = ?`,
		string(role), workspaceID, userID)
	if err != nil {
		return dbErr(err, "update member role", "", "")
	}
	return affected(res, "membership")
}

// RemoveMember removes userID from workspaceID.
func (s *store) RemoveMember(ctx context.Context, workspaceID, userID int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID)
	if err != nil {
		return dbErr(err, "remove member", "", "")
	}
	return affected(res, "membership")
}

// LockOwners counts the workspace's owners on the write connection: the
// one writer already serialises transactions, so the count stays true
// until this one ends.
func (s *store) LockOwners(ctx context.Context, workspaceID int64) (int, error) {
	var n int
	err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE workspace_id = ? AND role = 'owner'`,
		workspaceID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: lock owners: %w", err)
	}
	return n, nil
}

// CountMembersWithRole counts a workspace's members with role.
func (s *store) CountMembersWithRole(ctx context.Context, workspaceID int64, role herald.Role) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE workspace_id = ? AND role = ?`,
		workspaceID, string(role)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count members: %w", err)
	}
	return n, nil
}

// CommitSession inserts or replaces a session.
func (s *store) CommitSession(ctx context.Context, key string, userID int64, data []byte, expiry time.Time) error {
	if data == nil {
		data = []byte{}
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, data, expiry) VALUES (?, ?, ?, ?)
		ON CONFLICT (hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expiry = excluded.expiry`,
		key, userID, data, micros(expiry))
	return dbErr(err, "commit session", "", "")
}

// FindSession returns a live session's data.
func (s *store) FindSession(ctx context.Context, key string) ([]byte, bool, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM sessions WHERE hash = ? AND expiry > ?`,
		key, micros(time.Now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: find session: %w", err)
	}
	return data, true, nil
}

// DeleteSession deletes a session; an absent one is no error.
func (s *store) DeleteSession(ctx context.Context, key string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, key)
	return dbErr(err, "delete session", "", "")
}

// DeleteUserSessions deletes userID's sessions but exceptKey's.
func (s *store) DeleteUserSessions(ctx context.Context, userID int64, exceptKey string) (int64, error) {
	if userID == 0 {
		return 0, nil
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND hash <> ?`, userID, exceptKey)
	if err != nil {
		return 0, dbErr(err, "delete user sessions", "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete user sessions: %w", err)
	}
	return n, nil
}

// DeleteExpiredSessions deletes sessions that expired by now.
func (s *store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= ?`, micros(now))
	if err != nil {
		return 0, dbErr(err, "delete expired sessions", "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	return n, nil
}
