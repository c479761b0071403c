"""A live camera preview that can be switched on and off, feeding decoded codes onward.

The camera worker reads and decodes on its own thread; this panel only shows the
previews it sends (already throttled and outlined) and passes each decoded code on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from pos_app.ui.widgets import label

PREVIEW_W, PREVIEW_H = 320, 240


class CameraPanel(QFrame):
    code = Signal(str)  # the text of each decoded code

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.source = "0"
        self.worker = None  # a CameraWorker while on
        self.view = QLabel()
        self.view.setFixedSize(PREVIEW_W, PREVIEW_H)
        self.view.setAlignment(Qt.AlignCenter)
        self.view.setStyleSheet("background: #1f2328; color: #c9ced6;")
        self.state = label("", "muted", wrap=True)
        box = QVBoxLayout(self)
        box.addWidget(self.view, alignment=Qt.AlignHCenter)
        box.addWidget(self.state)
        self.setVisible(False)

    @property
    def on(self) -> bool:
        return self.worker is not None

    def toggle(self) -> None:
        self.stop() if self.on else self.start()

    def start(self, source: str | None = None) -> None:
        from pos_app.scanner.camera import CameraWorker  # OpenCV and zbar: loaded when a camera is first used

        self.stop()
        if source is not None:
            self.source = source
        self.worker = CameraWorker(self.source)
        self.worker.decoded.connect(lambda found: self.code.emit(found.text))
        self.worker.preview.connect(self._show)
        self.worker.status.connect(self._status)
        self.view.setText(self.tr("Opening the camera…"))
        self.setVisible(True)
        self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker.deleteLater()
            self.worker = None
        self.setVisible(False)

    def _show(self, image: QImage) -> None:
        self.view.setPixmap(QPixmap.fromImage(image).scaled(PREVIEW_W, PREVIEW_H, Qt.KeepAspectRatio,
                                                             Qt.SmoothTransformation))

    def _status(self, state: str, message: str) -> None:
        texts = {"opening": self.tr("Opening the camera…"), "running": self.tr("Camera on"),
                 "no_camera": self.tr("No camera: check the cable. Retrying…"), "ended": self.tr("Video ended"),
                 "stopped": self.tr("Camera off")}
        self.state.setText(texts.get(state, message))
        if state == "no_camera":
            self.view.setText(self.tr("No camera"))
