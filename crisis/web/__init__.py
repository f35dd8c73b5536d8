"""The web app (``crisis serve``): the social team's review queue, incident board and held
posts, server-rendered by FastAPI with a little JavaScript the app serves itself, and a JSON
API under ``/api`` for integrations.

Routes are thin, as the CLI is: they call the same functions (``crisis.replies.queue``,
``crisis.incidents``, ``crisis.posts``, ...) with the signed-in user's name as the actor.
"""
