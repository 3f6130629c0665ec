"""Staff & auth: signing staff in and out, the limits on failed sign-ins, the staff home,
the `users` command line, and the role checks.

Public to other features: `roles` (`requires(role)` for a view, `is_task_force()`).
"""
