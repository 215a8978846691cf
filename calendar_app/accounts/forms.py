from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                 Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=200)])
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    """Change one's own password (the rules live in operations.change_password)."""

    current_password = PasswordField(_l("Current password"), render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(_l("New password again"), render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change my password"))
