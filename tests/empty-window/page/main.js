// Like the app's page: the title says which screen is shown, set once it is in the page.
document.title = "Leeg – Basislijn";
