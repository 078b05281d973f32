// Herald: the social accounts: connecting, status, posting schedules and pausing.
