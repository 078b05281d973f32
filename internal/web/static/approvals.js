// Herald: the approvals queue and the comments on posts.
