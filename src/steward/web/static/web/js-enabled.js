// GOV.UK Frontend styles some components only when JavaScript runs (the "js-enabled" class) and
// its modules only initialise where ES modules work ("govuk-frontend-supported").
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
