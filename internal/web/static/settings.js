// Herald: the workspace settings: the workspace, members, invitations, API tokens and the audit log.
