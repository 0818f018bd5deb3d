"""The review and sign-off flows of 附件3/附件4, written as data, and the one
place where a form moves through them."""
